"""Security alerts for the admins: log-ins failing for many accounts at once."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from webcare.auth.models import Role
from webcare.auth.ratelimit import WINDOW, Spray
from webcare.extensions import db
from webcare.notifications.services import notify, users_with_role

LOGIN_SPRAY = "login_spray"


def tell_admins_of_spray(spray: Spray) -> None:
    """Notify every admin (in-app and by e-mail), each in their own language."""
    for admin in users_with_role(Role.ADMIN):
        with force_locale(admin.locale or "nl"):
            subject = _("Failed log-ins on many accounts")
            body = _(
                "In the last %(minutes)d minutes log-ins failed for %(overall)d accounts, %(from_address)d of them "
                "from the address %(address)s. Someone may be trying passwords; those attempts are slowed down.",
                minutes=int(WINDOW.total_seconds() // 60),
                overall=spray.accounts_overall,
                from_address=spray.accounts_from_address,
                address=spray.address,
            )
        for notification in notify([admin], kind=LOGIN_SPRAY, subject=str(subject), body=str(body)):
            notification.created_at = spray.at
    db.session.commit()
