"""Shift swaps in the roster: offer, take, approve, reject (routes on the roster blueprint)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webcare.auth.access import role_required
from webcare.auth.models import Role
from webcare.roster import forms, services
from webcare.roster import swaps as swap_services
from webcare.roster.views import (
    SWAPPERS,
    VIEWERS,
    bp,
    editable_team_and_config,
    my_roster_person,
    team_and_config,
    to_utc,
)
from webcare.timeutil import utcnow


@bp.get("/<int:team_id>/swaps")
@role_required(*VIEWERS)
def swaps(team_id: int, status: int = 200, request_form=None):
    team, config = team_and_config(team_id)
    now = utcnow()
    return render_template(
        "roster/swaps.html",
        team=team,
        config=config,
        view="swaps",
        swaps=swap_services.swaps_of(config, now),
        me=services.person_for_user(config, current_user),
        request_form=request_form or forms.SwapRequestForm(prefix="swap"),
        action_form=forms.ActionForm(),
        is_lead=current_user.has_role(Role.LEAD) and current_user.team_id == team.id,
        can_edit=current_user.has_role(Role.LEAD) and current_user.team_id == team.id,
    ), status


@bp.post("/<int:team_id>/swaps")
@role_required(*SWAPPERS)
def request_swap(team_id: int):
    team, config = editable_team_and_config(team_id)
    me = my_roster_person(config)
    form = forms.SwapRequestForm(prefix="swap")
    if not form.validate():
        return swaps(team_id, 400, form)
    try:
        swap_services.request_swap(
            config,
            requester=me,
            start=to_utc(form.start.data, config),
            end=to_utc(form.end.data, config),
            reason=form.reason.data or "",
            now=utcnow(),
        )
    except services.RosterError as error:
        form.start.errors = [str(error)]
        return swaps(team_id, 400, form)
    flash(_("Swap request posted."), "success")
    return redirect(url_for("roster.swaps", team_id=team.id), 303)


def _swap_action(team_id: int, swap_id: int, act) -> Response:
    team, config = editable_team_and_config(team_id)
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
        taken = swap_services.take_swap(config, swap_id, taker=my_roster_person(config), by=current_user, now=utcnow())
        return _("You took the swap.") if taken else _("You lack a qualification for this slot: a lead must approve.")

    return _swap_action(team_id, swap_id, act)


@bp.post("/<int:team_id>/swaps/<int:swap_id>/approve")
@role_required(Role.LEAD)
def approve_swap(team_id: int, swap_id: int):
    def act(config):
        swap_services.approve_swap(config, swap_id, by=current_user, now=utcnow())
        return _("Swap approved.")

    return _swap_action(team_id, swap_id, act)


@bp.post("/<int:team_id>/swaps/<int:swap_id>/reject")
@role_required(Role.LEAD)
def reject_swap(team_id: int, swap_id: int):
    def act(config):
        swap_services.reject_swap(config, swap_id, by=current_user, now=utcnow())
        return _("Swap rejected.")

    return _swap_action(team_id, swap_id, act)
