"""The form for one mandate rule; subject and topic choices are filled in by the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from webcare import labels

ROLE_LABELS = labels.ROLES
RISK_LABELS = labels.RISKS
VISIBILITY_LABELS = labels.VISIBILITIES
PERMISSION_LABELS = labels.PERMISSIONS


class MandateRuleForm(FlaskForm):
    subject = SelectField(_l("Who"), validators=[InputRequired()])
    topic = SelectField(_l("Topic"), default="")
    risk = SelectField(
        _l("Risk"),
        default="",
        choices=[SelectChoice("", _l("any risk"))] + [SelectChoice(value, text) for value, text in RISK_LABELS.items()],
    )
    visibility = SelectField(
        _l("Visibility"),
        default="",
        choices=[SelectChoice("", _l("public or private"))]
        + [SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()],
    )
    permission = SelectField(
        _l("Permission"),
        validators=[InputRequired()],
        choices=[SelectChoice(value, text) for value, text in PERMISSION_LABELS.items()],
    )
