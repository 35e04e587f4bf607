"""Forms of the roster pages: overrides, leave, rotations, swaps, settings and feed tokens (all with CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


ACTIONS = choices([("add", _l("Add a person")), ("remove", _l("Remove a person")), ("replace", _l("Replace a person"))])
KINDS = choices(
    [
        ("", _l("(same as replaced / not needed)")),
        ("office", _l("Office")),
        ("evening", _l("Evening")),
        ("weekend", _l("Weekend")),
        ("on_call", _l("On call")),
    ]
)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class _Span:
    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must come after the start."))


class OverrideForm(_Span, FlaskForm):
    action = SelectField(_l("Change"), choices=ACTIONS, validators=[DataRequired()])
    person = SelectField(_l("Person"), coerce=int, validators=[DataRequired()])
    replacement = SelectField(_l("Replaced by"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Shift kind"), choices=KINDS, validators=[Optional()])
    start = DateTimeLocalField(_l("From (local time)"), format=LOCAL_FORMAT, validators=[DataRequired()])
    end = DateTimeLocalField(_l("Until (local time)"), format=LOCAL_FORMAT, validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])

    def validate_kind(self, field):
        if self.action.data == "add" and not field.data:
            raise ValidationError(_l("Adding someone needs a shift kind."))

    def validate_replacement(self, field):
        if self.action.data == "replace" and not field.data:
            raise ValidationError(_l("Choose who takes over."))


class LeaveForm(FlaskForm):
    person = SelectField(_l("Person"), coerce=int, validators=[DataRequired()])
    first_day = DateField(_l("First day"), validators=[DataRequired()])
    last_day = DateField(_l("Last day"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])

    def validate_last_day(self, field):
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError(_l("The last day cannot precede the first day."))


class RotationForm(FlaskForm):
    people = StringField(
        _l("People in turn order (roster ids, comma separated)"),
        validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_.\-, ]+$", message=_l("Use roster ids separated by commas."))],
    )
    start_time = TimeField(_l("Start (local)"), validators=[DataRequired()])
    end_time = TimeField(_l("End (local)"), validators=[DataRequired()])
    priority = IntegerField(_l("Priority"), validators=[NumberRange(min=0, max=100)], default=0)


class SwapRequestForm(_Span, FlaskForm):
    start = DateTimeLocalField(_l("From (local time)"), format=LOCAL_FORMAT, validators=[DataRequired()])
    end = DateTimeLocalField(_l("Until (local time)"), format=LOCAL_FORMAT, validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class SettingsForm(FlaskForm):
    average_handling_minutes = IntegerField(
        _l("Average handling time (minutes)"), validators=[DataRequired(), NumberRange(min=1, max=600)]
    )


class ActionForm(FlaskForm):
    """A button-only form (delete, take, approve, reject, regenerate): CSRF and nothing else."""
