"""Login form and the admin's forms for people and API tokens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


def _at_least_one(form, field):
    """DataRequired would mark every role checkbox `required`, so a browser would demand all of them."""
    if not field.data:
        raise ValidationError(_l("Choose at least one role."))


ROLE_LABELS = {"agent": _l("Agent"), "lead": _l("Team lead"), "manager": _l("Manager"), "admin": _l("Admin")}


class NewUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an e-mail address.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validators=[_at_least_one],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    password = PasswordField(
        _l("Password (at least 12 characters)"), validators=[DataRequired(), Length(min=12, max=1000)]
    )


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validators=[_at_least_one],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ButtonForm(FlaskForm):
    """A button that needs only its CSRF token."""


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token (what uses it)"), validators=[DataRequired(), Length(max=120)])
