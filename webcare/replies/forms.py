"""Forms for writing, approving and rejecting replies."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webcare.replies.services import MAX_REPLY_LENGTH


class ReplyForm(FlaskForm):
    template_id = SelectField(_l("Template"), validators=[Optional()], validate_choice=False)
    visibility = RadioField(
        _l("Answer"),
        choices=[SelectChoice("public", _l("publicly")), SelectChoice("private", _l("privately"))],
        validators=[Optional()],
        validate_choice=False,
    )
    text = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=MAX_REPLY_LENGTH)])


class ApproveForm(FlaskForm):
    text = TextAreaField(
        _l("Reply (you may edit it before approving)"), validators=[DataRequired(), Length(max=MAX_REPLY_LENGTH)]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejecting"), validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""

    confirm = HiddenField(default="1")
