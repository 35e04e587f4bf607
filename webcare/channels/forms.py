"""Forms: the public contact form, and an account's connector settings in the channel admin."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from webcare import labels
from webcare.accounts.models import Channel

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+$")
CHANNEL_LABELS = labels.CHANNELS
MAX_FORM_TEXT = 5000


def _email(form, field) -> None:
    if not EMAIL.match((field.data or "").strip()):
        raise ValidationError(_l("Enter an e-mail address like name@example.nl."))


class ContactForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    email = StringField(
        _l("Your e-mail address"), validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254), _email]
    )
    message = TextAreaField(
        _l("Your message"),
        validators=[
            InputRequired(_l("Write your message.")),
            Length(max=MAX_FORM_TEXT, message=_l("Your message is longer than %(max)d characters.", max=MAX_FORM_TEXT)),
        ],
    )
    # Honeypot: hidden from people by CSS and from assistive technology; robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])


class SettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    platform_id = StringField(_l("Platform id of the account"), validators=[Optional(), Length(max=200)])
    imap_host = StringField(_l("IMAP server"), validators=[Optional(), Length(max=255)])
    imap_port = IntegerField(_l("IMAP port"), validators=[Optional(), NumberRange(1, 65535)])
    imap_ssl = BooleanField(_l("IMAP over TLS"), default=True)
    imap_username = StringField(_l("IMAP user name"), validators=[Optional(), Length(max=255)])
    imap_folder = StringField(_l("IMAP folder"), validators=[Optional(), Length(max=255)])
    whatsapp_template = StringField(
        _l("WhatsApp template for replies after 24 hours"), validators=[Optional(), Length(max=512)]
    )
    whatsapp_template_language = StringField(_l("Template language code"), validators=[Optional(), Length(max=15)])

    OPTION_FIELDS = (
        "imap_host",
        "imap_port",
        "imap_ssl",
        "imap_username",
        "imap_folder",
        "whatsapp_template",
        "whatsapp_template_language",
    )

    def options(self) -> dict:
        values = {name: getattr(self, name).data for name in self.OPTION_FIELDS}
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in values.items()
            if value not in (None, "")
        }


class AccountForm(SettingsForm):
    channel = SelectField(
        _l("Channel"),
        choices=[SelectChoice(c.value, CHANNEL_LABELS[c.value]) for c in Channel],
        validators=[InputRequired()],
    )
    handle = StringField(
        _l("Handle"),
        validators=[
            InputRequired(),
            Length(max=200),
            Regexp(r"^[^\s/]+$", message=_l("A handle has no spaces or slashes.")),
        ],
    )
