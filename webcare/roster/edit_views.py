"""Roster edits by the team lead: overrides, leave, rotations and the handling time (routes on the roster blueprint)."""

from __future__ import annotations

from datetime import time, timedelta

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webcare.auth.access import role_required
from webcare.auth.models import Role, Team
from webcare.extensions import db
from webcare.formatting import local_time
from webcare.roster import forms, sanity, services
from webcare.roster.engine import OverrideAction, ShiftKind
from webcare.roster.models import (
    LeaveEntry,
    OverrideEntry,
    RosterConfig,
    RotationEntry,
)
from webcare.roster.views import (
    WARNING_LABELS,
    bp,
    editable_team_and_config,
    people_of,
    team_roster_of,
    to_utc,
)
from webcare.timeutil import utcnow, wall_clock_to_utc, zone


def _edit_page(team: Team, config: RosterConfig, status: int = 200, **submitted):
    people = people_of(config)
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
    team, config = editable_team_and_config(team_id)
    return _edit_page(team, config)


@bp.post("/<int:team_id>/overrides")
@role_required(Role.LEAD)
def add_override(team_id: int):
    team, config = editable_team_and_config(team_id)
    form = forms.OverrideForm(prefix="override")
    pairs = [(person.id, person.name) for person in people_of(config)]
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
            start=to_utc(form.start.data, config),
            end=to_utc(form.end.data, config),
            reason=form.reason.data or "",
            by=current_user,
        )
    except services.RosterError as error:
        form.action.errors = [str(error)]
        return _edit_page(team, config, 400, override_form=form)
    flash(_("Override saved."), "success")
    for warning in sanity.warnings_for_days(
        team_roster_of(config), form.start.data.date(), 7, sanity.configured_limits()
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
    team, config = editable_team_and_config(team_id)
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
    team, config = editable_team_and_config(team_id)
    form = forms.LeaveForm(prefix="leave")
    form.person.choices = forms.choices((person.id, person.name) for person in people_of(config))
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
    team, config = editable_team_and_config(team_id)
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
    team, config = editable_team_and_config(team_id)
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
    team, config = editable_team_and_config(team_id)
    form = forms.SettingsForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("roster.coverage", team_id=team.id), 303)
    services.set_average_handling(config, form.average_handling_minutes.data * 60, by=current_user)
    flash(_("Average handling time saved."), "success")
    return redirect(url_for("roster.coverage", team_id=team.id), 303)
