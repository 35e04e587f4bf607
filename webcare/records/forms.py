"""Forms of the records pages: deciding a destruction list, placing and lifting holds, archive export, requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

NOTE = [Length(max=2000)]


class ProposeForm(FlaskForm):
    pass


class ApproveForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=NOTE)


class RejectForm(FlaskForm):
    note = TextAreaField(_l("Why the list is rejected"), validators=[DataRequired(), *NOTE])


class HoldForm(FlaskForm):
    case_id = IntegerField(_l("Case number"), validators=[DataRequired(), NumberRange(min=1)])
    reason = TextAreaField(_l("Reason for the hold"), validators=[DataRequired(), *NOTE])


class LiftForm(FlaskForm):
    pass


class ExportForm(FlaskForm):
    first = DateField(_l("Closed from"), validators=[DataRequired()])
    last = DateField(_l("Closed up to and including"), validators=[DataRequired()])
    limit = IntegerField(
        _l("At most this many cases"), default=200, validators=[Optional(), NumberRange(min=1, max=5000)]
    )


class RequestForm(FlaskForm):
    kind = RadioField(
        _l("Request"),
        choices=[
            SelectChoice("access", _l("Access (AVG art. 15): a copy of everything we hold")),
            SelectChoice("erasure", _l("Erasure (AVG art. 17)")),
        ],
        validators=[DataRequired()],
    )
    resident = StringField(_l("Resident's name as given in the request"), validators=[DataRequired(), Length(max=200)])
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    identities = SelectMultipleField(_l("Identities this request covers"), coerce=int, validators=[DataRequired()])


class HandleForm(FlaskForm):
    pass


class ResidentHoldForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the hold"), validators=[DataRequired(), *NOTE])
