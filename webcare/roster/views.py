"""Roster pages: week and month per team, coverage heatmap with staffing advice, hours, editing, swaps, feeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webcare.auth.access import role_required
from webcare.auth.models import Role, Team
from webcare.extensions import db
from webcare.formatting import local_date, local_time
from webcare.inbox.queries import arrivals_per_hour_of_week
from webcare.protocol.services import normal_first_response_target
from webcare.roster import forms, queries, sanity, services, store
from webcare.roster.engine import OverrideAction, ShiftKind
from webcare.roster.ical import ical_feed
from webcare.roster.models import (
    LeaveEntry,
    OverrideEntry,
    RosterConfig,
    RosterPerson,
    RotationEntry,
)
from webcare.timeutil import utcnow, wall_clock_to_utc, zone

bp = Blueprint("roster", __name__, url_prefix="/roster")
VIEWERS = (Role.AGENT, Role.LEAD, Role.MANAGER)
WARNING_LABELS = {
    "long_shift": _l("longer than a shift may be"),
    "short_rest": _l("too little rest"),
    "long_week": _l("too many hours this week"),
}
SWAPPERS = (Role.AGENT, Role.LEAD)
FEED_WEEKS_BACK, FEED_WEEKS_AHEAD = 4, 26


@bp.app_context_processor
def on_duty_context() -> dict:
    """`roster_on_duty()` for templates/roster/_on_duty.html: computed only when a template calls it."""

    def roster_on_duty() -> list:
        if not current_user.is_authenticated:
            return []
        team_ids = None if current_user.team_id is None else {current_user.team_id}
        summaries = services.on_duty_summaries(utcnow(), team_ids)
        return [replace(summary, schedule_url=url_for("roster.week", team_id=summary.team_id)) for summary in summaries]

    return {"roster_on_duty": roster_on_duty}


def _config(team_id: int) -> tuple[Team, RosterConfig]:
    team = db.get_or_404(Team, team_id)
    config = db.session.scalar(select(RosterConfig).where(RosterConfig.team_id == team.id))
    if config is None:
        abort(404)
    if not (current_user.has_role(Role.MANAGER, Role.ADMIN) or current_user.team_id == team.id):
        abort(403)
    return team, config


def _editable(team_id: int) -> tuple[Team, RosterConfig]:
    team, config = _config(team_id)
    if current_user.team_id != team.id:
        abort(403)
    return team, config


def _team_roster(config: RosterConfig) -> store.TeamRoster:
    return store.team_roster_for(config.team_id)


def _local_today(config: RosterConfig) -> date:
    return utcnow().astimezone(zone(config.timezone)).date()


def _date_arg(name: str, default: date) -> date:
    text = request.args.get(name)
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        flash(
            _(
                "“%(text)s” is not a date (YYYY-MM-DD); showing %(shown)s instead.",
                text=text,
                shown=local_date(default),
            ),
            "error",
        )
        return default


def _to_utc(local: datetime, config: RosterConfig) -> datetime:
    return wall_clock_to_utc(local.date(), local.time(), zone(config.timezone))


def _people(config: RosterConfig) -> list[RosterPerson]:
    return list(
        db.session.scalars(select(RosterPerson).where(RosterPerson.roster_id == config.id).order_by(RosterPerson.name))
    )


@bp.get("/")
@role_required(*VIEWERS)
def index():
    heads = store.roster_heads()
    own = [team_id for _r, team_id, _v in heads if team_id == current_user.team_id]
    if own or (heads and current_user.has_role(Role.MANAGER, Role.ADMIN)):
        return redirect(url_for("roster.week", team_id=(own or [heads[0][1]])[0]))
    return render_template("roster/none.html")


def _schedule_page(team: Team, config: RosterConfig, first_day: date, days: int, view: str, **extra):
    me = services.person_for_user(config, current_user)
    return render_template(
        "roster/schedule.html",
        team=team,
        config=config,
        view=view,
        rows=queries.day_rows(_team_roster(config), first_day, days),
        kinds=queries.KINDS,
        first_day=first_day,
        me=me,
        can_edit=current_user.has_role(Role.LEAD) and current_user.team_id == team.id,
        feed_form=forms.ActionForm(),
        **extra,
    )


@bp.get("/<int:team_id>/week")
@role_required(*VIEWERS)
def week(team_id: int):
    team, config = _config(team_id)
    chosen = _date_arg("start", _local_today(config))
    monday = chosen - timedelta(days=chosen.weekday())
    return _schedule_page(
        team, config, monday, 7, "week", previous=monday - timedelta(days=7), following=monday + timedelta(days=7)
    )


@bp.get("/<int:team_id>/month")
@role_required(*VIEWERS)
def month(team_id: int):
    team, config = _config(team_id)
    text = request.args.get("month")
    today = _local_today(config)
    try:
        first = date.fromisoformat(text + "-01") if text else today.replace(day=1)
    except ValueError:
        flash(_("“%(text)s” is not a month (YYYY-MM); showing this month instead.", text=text), "error")
        first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return _schedule_page(
        team, config, first, (following - first).days, "month", previous=previous, following=following
    )


@bp.get("/<int:team_id>/coverage")
@role_required(*VIEWERS)
def coverage(team_id: int):
    team, config = _config(team_id)
    chosen = _date_arg("start", _local_today(config))
    monday = chosen - timedelta(days=chosen.weekday())
    team_roster = _team_roster(config)
    return render_template(
        "roster/coverage.html",
        team=team,
        config=config,
        view="coverage",
        first_day=monday,
        days=[monday + timedelta(days=offset) for offset in range(7)],
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        cells=queries.coverage_heatmap(team_roster, monday),
        working_time=sanity.warnings_for_days(team_roster, monday, 7, sanity.configured_limits()),
        advice=queries.staffing_advice(
            team_roster,
            config.average_handling_seconds,
            arrivals=arrivals_per_hour_of_week(utcnow(), weeks=queries.ADVICE_WEEKS),
            answer_within=normal_first_response_target(),
        ),
        can_edit=current_user.has_role(Role.LEAD) and current_user.team_id == team.id,
        settings_form=forms.SettingsForm(average_handling_minutes=max(1, config.average_handling_seconds // 60)),
    )


@bp.get("/<int:team_id>/hours")
@role_required(*VIEWERS)
def hours(team_id: int):
    team, config = _config(team_id)
    today = _local_today(config)
    first = _date_arg("from", today.replace(day=1))
    last = _date_arg("to", (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    if last < first or (last - first).days > 366:
        flash(
            _(
                "Choose a period that ends on or after its first day and spans at most 366 days; showing this month instead."
            ),
            "error",
        )
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows, fairness = queries.hours_table(_team_roster(config), first, last)
    return render_template(
        "roster/hours.html",
        team=team,
        config=config,
        view="hours",
        rows=rows,
        fairness=fairness,
        first_day=first,
        last_day=last,
    )


def _edit_page(team: Team, config: RosterConfig, status: int = 200, **submitted):
    people = _people(config)
    pairs = [(person.id, f"{person.name} ({person.key})") for person in people]
    override_form = submitted.get("override_form") or forms.OverrideForm(prefix="override")
    override_form.person.choices = forms.choices(pairs)
    override_form.replacement.choices = forms.choices([(0, _("(nobody)")), *pairs])
    leave_form = submitted.get("leave_form") or forms.LeaveForm(prefix="leave")
    leave_form.person.choices = forms.choices(pairs)
    now = utcnow()
    rotations = list(
        db.session.scalars(
            select(RotationEntry).where(RotationEntry.roster_id == config.id).order_by(RotationEntry.position)
        )
    )
    rotation_forms = {
        rotation.id: submitted.get(f"rotation_form_{rotation.id}")
        or forms.RotationForm(
            prefix=f"rotation-{rotation.id}",
            people=", ".join(rotation.people),
            start_time=rotation.start_time,
            end_time=rotation.end_time,
            priority=rotation.priority,
        )
        for rotation in rotations
    }
    return render_template(
        "roster/edit.html",
        team=team,
        config=config,
        view="edit",
        rotations=rotations,
        rotation_forms=rotation_forms,
        overrides=db.session.scalars(
            select(OverrideEntry)
            .where(OverrideEntry.roster_id == config.id, OverrideEntry.end_at > now)
            .order_by(OverrideEntry.start_at)
        ).all(),
        leave=db.session.scalars(
            select(LeaveEntry)
            .where(LeaveEntry.roster_id == config.id, LeaveEntry.end_at > now)
            .order_by(LeaveEntry.start_at)
        ).all(),
        override_form=override_form,
        leave_form=leave_form,
        action_form=forms.ActionForm(),
        can_edit=True,
    ), status


@bp.get("/<int:team_id>/edit")
@role_required(Role.LEAD)
def edit(team_id: int):
    team, config = _editable(team_id)
    return _edit_page(team, config)


@bp.post("/<int:team_id>/overrides")
@role_required(Role.LEAD)
def add_override(team_id: int):
    team, config = _editable(team_id)
    form = forms.OverrideForm(prefix="override")
    pairs = [(person.id, person.name) for person in _people(config)]
    form.person.choices, form.replacement.choices = forms.choices(pairs), forms.choices([(0, ""), *pairs])
    if not form.validate():
        return _edit_page(team, config, 400, override_form=form)
    try:
        services.add_override(
            config,
            action=OverrideAction(form.action.data),
            person_id=form.person.data,
            replacement_id=form.replacement.data or None,
            kind=ShiftKind(form.kind.data) if form.kind.data else None,
            start=_to_utc(form.start.data, config),
            end=_to_utc(form.end.data, config),
            reason=form.reason.data or "",
            by=current_user,
        )
    except services.RosterError as error:
        form.action.errors = [str(error)]
        return _edit_page(team, config, 400, override_form=form)
    flash(_("Override saved."), "success")
    for warning in sanity.warnings_for_days(
        _team_roster(config), form.start.data.date(), 7, sanity.configured_limits()
    ):
        flash(
            _(
                "Check the working time: %(name)s, %(hours)s hours (%(what)s) from %(start)s.",
                name=warning.name,
                hours=warning.hours,
                what=WARNING_LABELS[warning.kind],
                start=local_time(warning.start),
            ),
            "error",
        )
    return redirect(url_for("roster.week", team_id=team.id, start=form.start.data.date().isoformat()), 303)


@bp.post("/<int:team_id>/overrides/<int:override_id>/delete")
@role_required(Role.LEAD)
def delete_override(team_id: int, override_id: int):
    team, config = _editable(team_id)
    if not forms.ActionForm().validate():
        abort(400)
    try:
        services.delete_override(config, override_id, by=current_user)
    except services.RosterError:
        abort(404)
    flash(_("Override removed."), "success")
    return redirect(url_for("roster.edit", team_id=team.id), 303)


@bp.post("/<int:team_id>/leave")
@role_required(Role.LEAD)
def add_leave(team_id: int):
    team, config = _editable(team_id)
    form = forms.LeaveForm(prefix="leave")
    form.person.choices = forms.choices((person.id, person.name) for person in _people(config))
    if not form.validate():
        return _edit_page(team, config, 400, leave_form=form)
    tz = zone(config.timezone)
    try:
        services.add_leave(
            config,
            person_id=form.person.data,
            start=wall_clock_to_utc(form.first_day.data, time(0), tz),
            end=wall_clock_to_utc(form.last_day.data + timedelta(days=1), time(0), tz),
            reason=form.reason.data or "",
            by=current_user,
        )
    except services.RosterError as error:
        form.person.errors = [str(error)]
        return _edit_page(team, config, 400, leave_form=form)
    flash(_("Leave saved."), "success")
    return redirect(url_for("roster.edit", team_id=team.id), 303)


@bp.post("/<int:team_id>/leave/<int:leave_id>/delete")
@role_required(Role.LEAD)
def delete_leave(team_id: int, leave_id: int):
    team, config = _editable(team_id)
    if not forms.ActionForm().validate():
        abort(400)
    try:
        services.delete_leave(config, leave_id, by=current_user)
    except services.RosterError:
        abort(404)
    flash(_("Leave removed."), "success")
    return redirect(url_for("roster.edit", team_id=team.id), 303)


@bp.post("/<int:team_id>/rotations/<int:rotation_id>")
@role_required(Role.LEAD)
def update_rotation(team_id: int, rotation_id: int):
    team, config = _editable(team_id)
    form = forms.RotationForm(prefix=f"rotation-{rotation_id}")
    if not form.validate():
        return _edit_page(team, config, 400, **{f"rotation_form_{rotation_id}": form})
    people = [key.strip() for key in form.people.data.split(",") if key.strip()]
    try:
        services.update_rotation(
            config,
            rotation_id,
            people=people,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            priority=form.priority.data or 0,
            by=current_user,
        )
    except services.RosterError as error:
        form.people.errors = [str(error)]
        return _edit_page(team, config, 400, **{f"rotation_form_{rotation_id}": form})
    flash(_("Rotation saved."), "success")
    return redirect(url_for("roster.edit", team_id=team.id), 303)


@bp.post("/<int:team_id>/settings")
@role_required(Role.LEAD)
def settings(team_id: int):
    team, config = _editable(team_id)
    form = forms.SettingsForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("roster.coverage", team_id=team.id), 303)
    services.set_average_handling(config, form.average_handling_minutes.data * 60, by=current_user)
    flash(_("Average handling time saved."), "success")
    return redirect(url_for("roster.coverage", team_id=team.id), 303)


@bp.get("/<int:team_id>/swaps")
@role_required(*VIEWERS)
def swaps(team_id: int, status: int = 200, request_form=None):
    team, config = _config(team_id)
    now = utcnow()
    return render_template(
        "roster/swaps.html",
        team=team,
        config=config,
        view="swaps",
        swaps=services.swaps_of(config, now),
        me=services.person_for_user(config, current_user),
        request_form=request_form or forms.SwapRequestForm(prefix="swap"),
        action_form=forms.ActionForm(),
        is_lead=current_user.has_role(Role.LEAD) and current_user.team_id == team.id,
        can_edit=current_user.has_role(Role.LEAD) and current_user.team_id == team.id,
    ), status


def _me_or_403(config: RosterConfig) -> RosterPerson:
    me = services.person_for_user(config, current_user)
    if me is None:
        abort(403)
    return me


@bp.post("/<int:team_id>/swaps")
@role_required(*SWAPPERS)
def request_swap(team_id: int):
    team, config = _editable(team_id)
    me = _me_or_403(config)
    form = forms.SwapRequestForm(prefix="swap")
    if not form.validate():
        return swaps(team_id, 400, form)
    try:
        services.request_swap(
            config,
            requester=me,
            start=_to_utc(form.start.data, config),
            end=_to_utc(form.end.data, config),
            reason=form.reason.data or "",
            now=utcnow(),
        )
    except services.RosterError as error:
        form.start.errors = [str(error)]
        return swaps(team_id, 400, form)
    flash(_("Swap request posted."), "success")
    return redirect(url_for("roster.swaps", team_id=team.id), 303)


def _swap_action(team_id: int, swap_id: int, act) -> Response:
    team, config = _editable(team_id)
    if not forms.ActionForm().validate():
        abort(400)
    try:
        message = act(config)
    except services.RosterError as error:
        flash(str(error), "error")
        return redirect(url_for("roster.swaps", team_id=team.id), 303)
    flash(message, "success")
    return redirect(url_for("roster.swaps", team_id=team.id), 303)


@bp.post("/<int:team_id>/swaps/<int:swap_id>/take")
@role_required(*SWAPPERS)
def take_swap(team_id: int, swap_id: int):
    def act(config):
        taken = services.take_swap(config, swap_id, taker=_me_or_403(config), by=current_user, now=utcnow())
        return _("You took the swap.") if taken else _("You lack a qualification for this slot: a lead must approve.")

    return _swap_action(team_id, swap_id, act)


@bp.post("/<int:team_id>/swaps/<int:swap_id>/approve")
@role_required(Role.LEAD)
def approve_swap(team_id: int, swap_id: int):
    def act(config):
        services.approve_swap(config, swap_id, by=current_user, now=utcnow())
        return _("Swap approved.")

    return _swap_action(team_id, swap_id, act)


@bp.post("/<int:team_id>/swaps/<int:swap_id>/reject")
@role_required(Role.LEAD)
def reject_swap(team_id: int, swap_id: int):
    def act(config):
        services.reject_swap(config, swap_id, by=current_user, now=utcnow())
        return _("Swap rejected.")

    return _swap_action(team_id, swap_id, act)


@bp.post("/<int:team_id>/feeds/regenerate")
@role_required(*SWAPPERS)
def regenerate_feed(team_id: int):
    team, config = _editable(team_id)
    if not forms.ActionForm().validate():
        abort(400)
    if request.form.get("scope") == "team":
        if not current_user.has_role(Role.LEAD):
            abort(403)
        services.regenerate_feed_token(config)
    else:
        services.regenerate_feed_token(config, person=_me_or_403(config))
    flash(_("A new calendar address was made; the old one no longer works."), "success")
    return redirect(url_for("roster.week", team_id=team.id), 303)


def _feed(config: RosterConfig, person: RosterPerson | None) -> Response:
    team_roster = _team_roster(config)
    now = utcnow()
    schedule = store.schedule_between(
        team_roster, now - timedelta(weeks=FEED_WEEKS_BACK), now + timedelta(weeks=FEED_WEEKS_AHEAD)
    )
    body = ical_feed(
        schedule,
        now=now,
        person_id=person.key if person else None,
        calendar_name=f"Webcare {person.name if person else team_roster.team_name}",
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="webcare-rooster.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/feeds/person/<token>.ics")
def person_feed(token: str):
    person = db.session.scalar(select(RosterPerson).where(RosterPerson.feed_token == token))
    if person is None or len(token) < 20:
        abort(404)
    return _feed(person.roster, person)


@bp.get("/feeds/team/<token>.ics")
def team_feed(token: str):
    config = db.session.scalar(select(RosterConfig).where(RosterConfig.team_feed_token == token))
    if config is None or len(token) < 20:
        abort(404)
    return _feed(config, None)
