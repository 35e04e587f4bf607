"""Forms of the case page: claim, assign, note, escalate, department answer, resolve, reopen, ignore, presence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from webcare.inbox.services import NOTE_MAX_LENGTH

TEXT = [DataRequired(), Length(max=NOTE_MAX_LENGTH)]

OUTCOME_LABELS = {
    "answered": _l("Answered"),
    "referred": _l("Referred elsewhere"),
    "no_action_needed": _l("No action needed"),
    "duplicate": _l("Duplicate"),
    "other": _l("Other (say what)"),
}


class ClaimForm(FlaskForm):
    pass


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), coerce=int, validators=[DataRequired()])


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Internal note"), validators=TEXT)


class EscalateForm(FlaskForm):
    department = SelectField(_l("Department"), validators=[DataRequired()])
    note = TextAreaField(_l("Note for the department"), validators=TEXT)


class DepartmentAnswerForm(FlaskForm):
    text = TextAreaField(_l("The department's answer"), validators=TEXT)


class ResolveForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()],
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX_LENGTH)])

    def validate_note(self, field):
        if self.outcome.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Say what the outcome was."))


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Reason for reopening"), validators=TEXT)


class IgnoreForm(FlaskForm):
    reason = TextAreaField(_l("Reason for ignoring"), validators=TEXT)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class PresenceForm(FlaskForm):
    typing = BooleanField(_l("Typing"), false_values=("false", "0", ""))


class BulkForm(FlaskForm):
    """One action for the cases ticked in the list; the fields an action does not use are ignored."""

    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("claim", _l("Claim")),
            SelectChoice("assign", _l("Assign to")),
            SelectChoice("escalate", _l("Escalate")),
            SelectChoice("ignore", _l("Ignore")),
            SelectChoice("resolve", _l("Resolve")),
            SelectChoice("bundle", _l("Add to bundle")),
        ],
        validators=[DataRequired()],
    )
    case_ids = SelectMultipleField(_l("Cases"), coerce=int, validate_choice=False, validators=[DataRequired()])
    assignee = SelectField(_l("Assign to"), coerce=int, validate_choice=False, default=0)
    department = SelectField(_l("Department"), validate_choice=False)
    outcome = SelectField(
        _l("Outcome"), choices=[SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()]
    )
    bundle = SelectField(_l("Bundle"), coerce=int, validate_choice=False, default=0)
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX_LENGTH)])
    reason = TextAreaField(_l("Reason for ignoring"), validators=[Length(max=NOTE_MAX_LENGTH)])
