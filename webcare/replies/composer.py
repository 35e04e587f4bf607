"""What the reply composer on the case page shows: templates filled for the case, the mandate, this case's replies."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_login import current_user
from wtforms import SelectChoice

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import Bundle, CaseDecision
from webcare.mandates.services import MandateVerdict, mandate_for
from webcare.protocol.services import active_protocol
from webcare.replies import services
from webcare.replies.forms import ReplyForm
from webcare.replies.models import Reply
from webcare.replies.placeholders import fill, values_for

WRITERS = (Role.AGENT, Role.LEAD)


@dataclass
class Composer:
    case: object
    form: ReplyForm
    templates: list[tuple[str, str]]
    selected_template: str | None
    verdicts: dict[bool, MandateVerdict]
    replies: list[Reply]
    pending: Reply | None
    may_write: bool
    problems: list[str] = field(default_factory=list)

    @property
    def visibilities(self) -> tuple[bool, ...]:
        return tuple(self.verdicts)

    @property
    def default_is_public(self) -> bool:
        return self.case.is_public if self.case.is_public in self.verdicts else next(iter(self.verdicts))


def _decision(case):
    return db.session.get(CaseDecision, case.applied_decision_id) if case.applied_decision_id else None


def composer_for(case, *, form: ReplyForm | None = None) -> Composer:
    """Everything the composer partial needs for the current user on `case`."""
    protocol = active_protocol()
    decision = _decision(case)
    bundle_size = None
    if case.bundle_id is not None:
        bundle = db.session.get(Bundle, case.bundle_id)
        bundle_size = bundle.member_count if bundle is not None else None
    values = values_for(case, by=current_user, protocol=protocol, decision=decision, bundle_size=bundle_size)
    templates = [
        (template_id, fill(text, values)) for template_id, text in (protocol.templates.items() if protocol else ())
    ]
    selected = decision.template_id if decision is not None and decision.template_id in dict(templates) else None
    verdicts = {
        is_public: mandate_for(current_user, case, is_public=is_public) for is_public in services.visibilities_for(case)
    }
    pending = services.pending_reply(case)
    if form is None:
        form = ReplyForm(
            formdata=None,
            data={
                "template_id": selected or "",
                "text": dict(templates).get(selected, ""),
                "visibility": "public" if case.is_public and True in verdicts else "private",
            },
        )
    form.template_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(template_id, template_id) for template_id, _text in templates
    ]
    may_write = current_user.has_role(*WRITERS) and case.is_active and pending is None
    return Composer(case, form, templates, selected, verdicts, services.replies_of(case), pending, may_write)
