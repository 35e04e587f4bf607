"""Roster pages: week and month per team, coverage heatmap with staffing advice, hours, editing, swaps, feeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import (
    Blueprint,
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
from webcare.formatting import local_date
from webcare.inbox.queries import arrivals_per_hour_of_week
from webcare.protocol.services import normal_first_response_target
from webcare.roster import duty, forms, queries, sanity, services, store
from webcare.roster.models import (
    RosterConfig,
    RosterPerson,
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
        summaries = duty.on_duty_summaries(utcnow(), team_ids)
        return [replace(summary, schedule_url=url_for("roster.week", team_id=summary.team_id)) for summary in summaries]

    return {"roster_on_duty": roster_on_duty}


def team_and_config(team_id: int) -> tuple[Team, RosterConfig]:
    team = db.get_or_404(Team, team_id)
    config = db.session.scalar(select(RosterConfig).where(RosterConfig.team_id == team.id))
    if config is None:
        abort(404)
    if not (current_user.has_role(Role.MANAGER, Role.ADMIN) or current_user.team_id == team.id):
        abort(403)
    return team, config


def editable_team_and_config(team_id: int) -> tuple[Team, RosterConfig]:
    team, config = team_and_config(team_id)
    if current_user.team_id != team.id:
        abort(403)
    return team, config


def team_roster_of(config: RosterConfig) -> store.TeamRoster:
    return store.team_roster_for(config.team_id)


def local_today(config: RosterConfig) -> date:
    return utcnow().astimezone(zone(config.timezone)).date()


def date_arg(name: str, default: date) -> date:
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


def to_utc(local: datetime, config: RosterConfig) -> datetime:
    return wall_clock_to_utc(local.date(), local.time(), zone(config.timezone))


def people_of(config: RosterConfig) -> list[RosterPerson]:
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
        rows=queries.day_rows(team_roster_of(config), first_day, days),
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
    team, config = team_and_config(team_id)
    chosen = date_arg("start", local_today(config))
    monday = chosen - timedelta(days=chosen.weekday())
    return _schedule_page(
        team, config, monday, 7, "week", previous=monday - timedelta(days=7), following=monday + timedelta(days=7)
    )


@bp.get("/<int:team_id>/month")
@role_required(*VIEWERS)
def month(team_id: int):
    team, config = team_and_config(team_id)
    text = request.args.get("month")
    today = local_today(config)
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
    team, config = team_and_config(team_id)
    chosen = date_arg("start", local_today(config))
    monday = chosen - timedelta(days=chosen.weekday())
    team_roster = team_roster_of(config)
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
    team, config = team_and_config(team_id)
    today = local_today(config)
    first = date_arg("from", today.replace(day=1))
    last = date_arg("to", (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    if last < first or (last - first).days > 366:
        flash(
            _(
                "Choose a period that ends on or after its first day and spans at most 366 days; showing this month instead."
            ),
            "error",
        )
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows, fairness = queries.hours_table(team_roster_of(config), first, last)
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


def my_roster_person(config: RosterConfig) -> RosterPerson:
    me = services.person_for_user(config, current_user)
    if me is None:
        abort(403)
    return me
