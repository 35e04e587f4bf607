"""Inbox pages: the case list (with a polled fragment), the case page, its workflow actions and presence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webcare.accounts.models import Channel
from webcare.auth.access import ANY_STAFF, role_required
from webcare.auth.models import Role, User
from webcare.channels.statuses import furthest_delivery_statuses
from webcare.extensions import db
from webcare.inbox import bulk, counts, forms, presence, queries, services
from webcare.inbox.bundles import open_bundles
from webcare.inbox.models import Bundle, Case, InvalidTransition, Priority
from webcare.protocol.services import active_protocol
from webcare.timeutil import utcnow

bp = Blueprint("inbox", __name__)
bp.add_app_template_global(queries.response_clock, "response_clock")

WORKERS = (Role.AGENT, Role.LEAD)


def _enum_arg(name: str, enum_class):
    value = request.args.get(name) or None
    try:
        return enum_class(value) if value else None
    except ValueError:
        abort(400, description=_("The filter has a value the inbox does not know; choose one from the list."))


def _case_filter() -> queries.CaseFilter:
    status = request.args.get("status", "active")
    view = request.args.get("view", "attention")
    sort = request.args.get("sort", "due")
    action = request.args.get("action") or None
    account = request.args.get("account") or None
    topic = (request.args.get("topic") or "").strip() or None
    search = (request.args.get("q") or "").strip() or None
    if status not in queries.STATUS_FILTERS or view not in queries.VIEWS or action not in (None, *queries.ACTIONS):
        abort(400, description=_("The filter has a value the inbox does not know; choose one from the list."))
    if sort not in queries.SORTS:
        abort(400, description=_("The filter has a value the inbox does not know; choose one from the list."))
    if (account and not account.isdigit()) or len(topic or "") > 80 or len(search or "") > queries.SEARCH_MAX_LENGTH:
        abort(400, description=_("The search text or topic is too long; shorten it and search again."))
    return queries.CaseFilter(
        status=status,
        channel=_enum_arg("channel", Channel),
        view=view,
        account_id=int(account) if account else None,
        topic=topic,
        priority=_enum_arg("priority", Priority),
        action=action,
        search=search,
        sort=sort,
    )


def _page(case_filter: queries.CaseFilter, now) -> queries.CasePage:
    try:
        return queries.case_page(
            case_filter,
            after=request.args.get("after"),
            size=current_app.config.get("WEBCARE_INBOX_PAGE_SIZE", queries.PAGE_SIZE),
            viewer=current_user,
            now=now,
            due_soon=_due_soon(),
        )
    except queries.BadCursor:
        abort(400, description=_("This page of results no longer exists; start again from the first page."))


def _topics() -> list[tuple[str, str]]:
    protocol = active_protocol()
    return [(topic.id, topic.label) for topic in protocol.vocabulary.topics] if protocol else []


@bp.get("/")
def index():
    return redirect(url_for("inbox.cases"))


def _due_soon() -> timedelta:
    return timedelta(minutes=current_app.config.get("WEBCARE_DUE_SOON_MINUTES", 60))


def _since() -> int | None:
    since = request.args.get("since") or None
    if since is not None and not since.isdigit():
        abort(400)
    return int(since) if since else None


def _list_context(case_filter: queries.CaseFilter, since: int | None) -> dict:
    """What the list and its polled fragment show: the page, cases new since `since` not on it, counts per view."""
    now = utcnow()
    page = _page(case_filter, now)
    arrivals = None
    if since is not None and not case_filter.search:
        arrivals = counts.arrivals_since(
            case_filter,
            since,
            shown_ids={case.id for case in page.cases},
            viewer=current_user,
            now=now,
            due_soon=_due_soon(),
        )
    return {
        "page": page,
        "now": now,
        "case_filter": case_filter,
        "since": since,
        "arrivals": arrivals,
        "view_counts": counts.cached_view_counts(current_user, now, _due_soon()),
    }


@bp.get("/inbox")
@role_required(*ANY_STAFF)
def cases():
    case_filter = _case_filter()
    return render_template(
        "inbox/index.html",
        **_list_context(case_filter, None),
        newest_case_id=counts.newest_case_id(),
        is_first_page=not request.args.get("after"),
        status_filters=queries.STATUS_FILTERS,
        views=queries.VIEWS,
        sorts=queries.SORTS,
        channels=list(Channel),
        accounts=queries.accounts(),
        topics=_topics(),
        priorities=list(Priority),
        actions=queries.ACTIONS,
        search_window=queries.SEARCH_WINDOW,
        bulk_form=bulk_form() if current_user.has_role(*WORKERS) else None,
    )


def bulk_form() -> forms.BulkForm:
    form = forms.BulkForm(prefix="bulk")
    form.assignee.choices = forms.choices((user.id, user.name) for user in services.assignable_users())
    form.department.choices = forms.choices(services.departments().items())
    form.bundle.choices = forms.choices((bundle.id, f"#{bundle.id} {bundle.topic or ''}") for bundle in open_bundles())
    return form


@bp.post("/inbox/bulk")
@role_required(*WORKERS)
def bulk_action():
    """One action on the ticked cases, each through its own service; back to the list with what happened."""
    form = bulk_form()
    back = request.form.get("next") or ""
    if not back.startswith("/inbox") or "//" in back:
        back = url_for("inbox.cases")
    if not form.validate_on_submit():
        flash(_("Tick at least one case and choose an action."), "error")
        return redirect(back, 303)
    bundle_chosen = db.session.get(Bundle, form.bundle.data) if form.bundle.data else None
    request_ = bulk.BulkRequest(
        action=form.action.data,
        assignee=db.session.get(User, form.assignee.data) if form.assignee.data else None,
        department=form.department.data,
        note=form.note.data or "",
        reason=form.reason.data or "",
        outcome=form.outcome.data,
        bundle=bundle_chosen,
    )
    result = bulk.apply_in_bulk(form.case_ids.data, request_, by=current_user)
    if result.done:
        flash(_("Done for %(count)d case(s).", count=len(result.done)), "success")
    if result.skipped:
        numbers = ", ".join(f"#{case_id}" for case_id, _why in result.skipped)
        flash(
            _(
                "Skipped %(count)d case(s) that could not take this action: %(numbers)s.",
                count=len(result.skipped),
                numbers=numbers,
            ),
            "error",
        )
    return redirect(back, 303)


@bp.get("/inbox/rows")
@role_required(*ANY_STAFF)
def rows():
    context = _list_context(_case_filter(), _since())
    return render_template("inbox/_case_rows.html", polled=True, **context)


def _forms(case: Case, **submitted) -> dict:
    decision = queries.applied_decision(case)
    assign_form = forms.AssignForm(prefix="assign")
    assign_form.assignee.choices = forms.choices((user.id, user.name) for user in services.assignable_users())
    if assign_form.assignee.data is None:
        assign_form.assignee.data = case.owner_id or current_user.id  # the current owner, not the first in the list
    escalate_form = forms.EscalateForm(prefix="escalate")
    escalate_form.department.choices = forms.choices(services.departments().items())
    if decision is not None and decision.escalate_to and not escalate_form.department.data:
        escalate_form.department.data = decision.escalate_to
    built = {
        "claim_form": forms.ClaimForm(prefix="claim"),
        "assign_form": assign_form,
        "note_form": forms.NoteForm(prefix="note"),
        "escalate_form": escalate_form,
        "answer_form": forms.DepartmentAnswerForm(prefix="answer"),
        "resolve_form": forms.ResolveForm(prefix="resolve"),
        "reopen_form": forms.ReopenForm(prefix="reopen"),
        "ignore_form": forms.IgnoreForm(prefix="ignore"),
    }
    built.update(submitted)
    return built


def _case_page(case: Case, status: int = 200, problem: str | None = None, **submitted):
    now = utcnow()
    messages = queries.thread(case)
    return (
        render_template(
            "inbox/case.html",
            case=case,
            now=now,
            clock=queries.response_clock(case, now),
            messages=messages,
            delivery_reports=furthest_delivery_statuses(messages),
            events=queries.timeline(case),
            earlier_cases=queries.earlier_cases(case),
            decision=queries.applied_decision(case),
            departments=services.departments(),
            allowed=services.allowed_actions(current_user, case),
            colleagues=presence.colleagues_present(case, viewer=current_user, now=now),
            problem=problem,
            **_forms(case, **submitted),
        ),
        status,
    )


@bp.get("/cases/<int:case_id>")
@role_required(*ANY_STAFF)
def case(case_id: int):
    return _case_page(db.get_or_404(Case, case_id))


def _act(case: Case, form_name: str, form, change: Callable[[], object], done: str):
    """Validate the form, run the service, and answer: back to the case, or the page with the problem."""
    if not form.validate_on_submit():
        return _case_page(case, 400, _("Please correct the marked field."), **{form_name: form})
    try:
        change()
    except services.CaseAlreadyClaimed as taken:
        who = taken.owner.name if taken.owner else _("someone else")
        return _case_page(case, 409, _("%(name)s has already claimed this case.", name=who))
    except services.NotAllowed:
        return _case_page(case, 403, _("You may not do this on this case."))
    except InvalidTransition:
        return _case_page(case, 409, _("This case has changed meanwhile; this action no longer applies."))
    except services.InvalidChoice:
        return _case_page(case, 400, _("Please correct the marked field."), **{form_name: form})
    flash(done, "success")
    return redirect(url_for("inbox.case", case_id=case.id), 303)


@bp.post("/cases/<int:case_id>/claim")
@role_required(*WORKERS)
def claim(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.ClaimForm(prefix="claim")
    return _act(
        case, "claim_form", form, lambda: services.claim_case(case, by=current_user), _("You have claimed this case.")
    )


@bp.post("/cases/<int:case_id>/assign")
@role_required(*WORKERS)
def assign(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.AssignForm(prefix="assign")
    form.assignee.choices = forms.choices((user.id, user.name) for user in services.assignable_users())

    def change():
        assignee = db.session.get(User, form.assignee.data)
        services.assign_case(case, assignee, by=current_user)

    return _act(case, "assign_form", form, change, _("The case has been assigned."))


@bp.post("/cases/<int:case_id>/notes")
@role_required(*WORKERS)
def note(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.NoteForm(prefix="note")
    return _act(
        case, "note_form", form, lambda: services.add_note(case, form.text.data, by=current_user), _("Note added.")
    )


@bp.post("/cases/<int:case_id>/escalate")
@role_required(*WORKERS)
def escalate(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.EscalateForm(prefix="escalate")
    form.department.choices = forms.choices(services.departments().items())
    return _act(
        case,
        "escalate_form",
        form,
        lambda: services.escalate_case(case, form.department.data, form.note.data, by=current_user),
        _("The case has been escalated."),
    )


@bp.post("/cases/<int:case_id>/department-answer")
@role_required(*WORKERS)
def department_answer(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.DepartmentAnswerForm(prefix="answer")
    return _act(
        case,
        "answer_form",
        form,
        lambda: services.record_department_answer(case, form.text.data, by=current_user),
        _("The department's answer has been recorded."),
    )


@bp.post("/cases/<int:case_id>/resolve")
@role_required(*WORKERS)
def resolve(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.ResolveForm(prefix="resolve")
    return _act(
        case,
        "resolve_form",
        form,
        lambda: services.resolve_case(case, form.outcome.data, form.note.data or "", by=current_user),
        _("The case has been resolved."),
    )


@bp.post("/cases/<int:case_id>/reopen")
@role_required(*WORKERS)
def reopen(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.ReopenForm(prefix="reopen")
    return _act(
        case,
        "reopen_form",
        form,
        lambda: services.reopen_case(case, form.reason.data, by=current_user),
        _("The case has been reopened."),
    )


@bp.post("/cases/<int:case_id>/ignore")
@role_required(*WORKERS)
def ignore(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.IgnoreForm(prefix="ignore")
    return _act(
        case,
        "ignore_form",
        form,
        lambda: services.ignore_case(case, form.reason.data, by=current_user),
        _("The case has been ignored."),
    )


@bp.post("/cases/<int:case_id>/presence")
@role_required(*ANY_STAFF)
def case_presence(case_id: int):
    case = db.get_or_404(Case, case_id)
    form = forms.PresenceForm()
    if not form.validate_on_submit():
        abort(400)
    colleagues = presence.heartbeat(case, by=current_user, is_typing=bool(form.typing.data))
    return render_template("inbox/_presence.html", colleagues=colleagues)
