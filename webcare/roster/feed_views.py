"""Calendar feeds of the roster: per person and per team, and renewing their addresses (routes on the roster blueprint)."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Response,
    abort,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webcare.auth.access import role_required
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.roster import forms, services, store
from webcare.roster.ical import ical_feed
from webcare.roster.models import (
    RosterConfig,
    RosterPerson,
)
from webcare.roster.views import (
    FEED_WEEKS_AHEAD,
    FEED_WEEKS_BACK,
    SWAPPERS,
    bp,
    editable_team_and_config,
    my_roster_person,
    team_roster_of,
)
from webcare.timeutil import utcnow


@bp.post("/<int:team_id>/feeds/regenerate")
@role_required(*SWAPPERS)
def regenerate_feed(team_id: int):
    team, config = editable_team_and_config(team_id)
    if not forms.ActionForm().validate():
        abort(400)
    if request.form.get("scope") == "team":
        if not current_user.has_role(Role.LEAD):
            abort(403)
        services.regenerate_feed_token(config)
    else:
        services.regenerate_feed_token(config, person=my_roster_person(config))
    flash(_("A new calendar address was made; the old one no longer works."), "success")
    return redirect(url_for("roster.week", team_id=team.id), 303)


def _feed(config: RosterConfig, person: RosterPerson | None) -> Response:
    team_roster = team_roster_of(config)
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
