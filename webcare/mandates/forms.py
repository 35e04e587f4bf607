"""The form for one mandate rule; subject and topic choices are filled in by the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

ROLE_LABELS = {"agent": _l("Agent"), "lead": _l("Team lead"), "manager": _l("Manager"), "admin": _l("Administrator"),
               "records_manager": _l("Records manager"), "privacy_officer": _l("Privacy officer")}
RISK_LABELS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}
VISIBILITY_LABELS = {"public": _l("public"), "private": _l("private")}
PERMISSION_LABELS = {"may_send": _l("may send"), "needs_approval": _l("needs approval"), "may_not": _l("may not")}


class MandateRuleForm(FlaskForm):
    subject = SelectField(_l("Who"), validators=[InputRequired()])
    topic = SelectField(_l("Topic"), default="")
    risk = SelectField(
        _l("Risk"), default="", choices=[SelectChoice("", _l("any risk"))] + [SelectChoice(v, l) for v, l in RISK_LABELS.items()]
    )
    visibility = SelectField(
        _l("Visibility"), default="", choices=[SelectChoice("", _l("public or private"))] + [SelectChoice(v, l) for v, l in VISIBILITY_LABELS.items()]
    )
    permission = SelectField(_l("Permission"), validators=[InputRequired()], choices=[SelectChoice(v, l) for v, l in PERMISSION_LABELS.items()])
