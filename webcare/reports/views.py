"""The reports page and its exports, for managers, leads and admins."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request, send_file, stream_with_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webcare.auth.access import role_required
from webcare.auth.models import Role
from webcare.reports.export_columns import CASE_COLUMNS, Variant
from webcare.reports.exports import case_values, csv_lines, group_table, xlsx_file
from webcare.reports.metrics import BREAKDOWNS, Clock
from webcare.reports.page import report_page
from webcare.reports.period import BadReportRequest, Period, ReportQuery, report_zone
from webcare.timeutil import utcnow

bp = Blueprint("reports", __name__, url_prefix="/reports")
REPORT_ROLES = (Role.MANAGER, Role.LEAD, Role.ADMIN)
DEFAULT_DAYS = 28
EXPORT_BREAKDOWNS = ("channel", "priority", "topic", "action", "band", "account", "agent", "team", "day", "week")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELD_NAMES = {"from": _l("From"), "to": _l("To")}


def _day(name: str, default: date) -> date:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadReportRequest(
            _l("%(field)s: give a date as YYYY-MM-DD, for example 2026-03-31.", field=FIELD_NAMES[name])
        ) from None


def _query(default_by: str | None = "channel") -> ReportQuery:
    """The report the request asks for; BadReportRequest says what is wrong with it."""
    today = utcnow().astimezone(report_zone()).date()
    last = _day("to", today)
    first = _day("from", last - timedelta(days=DEFAULT_DAYS - 1))
    by = [key for key in request.args.getlist("by") if key] or ([default_by] if default_by else [])
    clock = request.args.get("clock", Clock.CALENDAR.value)
    if clock not in {c.value for c in Clock}:
        raise BadReportRequest(_l("Choose calendar time or staffed time."))
    return ReportQuery(Period(first, last), by, Clock(clock), utcnow())


def _variant() -> Variant:
    return Variant.MACHINE if request.args.get("variant") == Variant.MACHINE else Variant.SPREADSHEET


def _filename(query: ReportQuery, what: str, extension: str) -> str:
    return f"webcare-{what}-{query.period.first.isoformat()}-{query.period.last.isoformat()}.{extension}"


def _refused(problem: BadReportRequest):
    """The page again with the form as the user filled it in and what to change; nothing is lost.

    A GET form that is answered with its own page, so 200: the message is the answer, not a failure.
    """
    entered = {
        "from": request.args.get("from", ""),
        "to": request.args.get("to", ""),
        "clock": request.args.get("clock", Clock.CALENDAR.value),
        "by": request.args.getlist("by"),
    }
    return render_template(
        "reports/index.html",
        page=None,
        query=None,
        entered=entered,
        problem=str(problem),
        breakdowns=BREAKDOWNS,
        clocks=list(Clock),
    )


@bp.get("")
@role_required(*REPORT_ROLES)
def index():
    try:
        query = _query()
    except BadReportRequest as problem:
        return _refused(problem)
    entered = {
        "from": query.period.first.isoformat(),
        "to": query.period.last.isoformat(),
        "clock": query.clock.value,
        "by": list(query.by),
    }
    page = report_page(query)
    return render_template(
        "reports/index.html",
        page=page,
        query=query,
        entered=entered,
        problem=None,
        breakdowns=BREAKDOWNS,
        clocks=list(Clock),
    )


def _csv_response(body, query: ReportQuery, what: str) -> Response:
    name = _filename(query, what if _variant() is Variant.SPREADSHEET else f"{what}-machine", "csv")
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/export/cases.csv")
@role_required(*REPORT_ROLES)
def cases_csv():
    try:
        query = _query(None)
    except BadReportRequest as problem:
        return _refused(problem)
    # The locale is settled now: the stream runs after the request's session (and its user) is gone.
    get_locale()
    body = stream_with_context(csv_lines(CASE_COLUMNS, case_values(query), _variant(), query.tz))
    return _csv_response(body, query, "cases")


@bp.get("/export/groups.csv")
@role_required(*REPORT_ROLES)
def groups_csv():
    try:
        query = _query()
    except BadReportRequest as problem:
        return _refused(problem)
    columns, rows = group_table(query, _variant())
    return _csv_response("".join(csv_lines(columns, rows, _variant(), query.tz)), query, "groups")


@bp.get("/export/report.xlsx")
@role_required(*REPORT_ROLES)
def report_xlsx():
    try:
        query = _query(None)
    except BadReportRequest as problem:
        return _refused(problem)
    variant = _variant()

    def sheets():
        yield (_("Cases") if variant is Variant.SPREADSHEET else "cases", CASE_COLUMNS, case_values(query))
        for key in EXPORT_BREAKDOWNS:
            columns, rows = group_table(ReportQuery(query.period, [key], query.clock, query.now), variant)
            yield (str(BREAKDOWNS[key].label) if variant is Variant.SPREADSHEET else f"by {key}", columns, rows)

    output = xlsx_file(sheets(), variant, query.tz)
    return send_file(output, mimetype=XLSX_TYPE, as_attachment=True, download_name=_filename(query, "report", "xlsx"))
