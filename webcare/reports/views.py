"""The reports page and its exports, for managers, leads and admins."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, send_file, stream_with_context
from flask_babel import gettext as _

from webcare.auth.access import role_required
from webcare.auth.models import Role
from webcare.reports.exports import CASE_COLUMNS, case_values, csv_lines, group_table, xlsx_file
from webcare.reports.metrics import BREAKDOWNS, Clock
from webcare.reports.page import report_page
from webcare.reports.period import BadReportRequest, Period, ReportQuery, report_zone
from webcare.timeutil import utcnow

bp = Blueprint("reports", __name__, url_prefix="/reports")
REPORT_ROLES = (Role.MANAGER, Role.LEAD, Role.ADMIN)
DEFAULT_DAYS = 28
EXPORT_BREAKDOWNS = ("channel", "priority", "topic", "action", "band", "account", "agent", "team", "day", "week")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(name: str, default: date) -> date:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=_("Give dates as YYYY-MM-DD."))


def _query(default_by: str | None = "channel") -> ReportQuery:
    today = utcnow().astimezone(report_zone()).date()
    last = _day("to", today)
    first = _day("from", last - timedelta(days=DEFAULT_DAYS - 1))
    by = [key for key in request.args.getlist("by") if key] or ([default_by] if default_by else [])
    clock = request.args.get("clock", Clock.CALENDAR.value)
    if clock not in {c.value for c in Clock}:
        abort(400, description=_("Unknown clock."))
    try:
        return ReportQuery(Period(first, last), by, Clock(clock), utcnow())
    except BadReportRequest as problem:
        abort(400, description=str(problem))


def _filename(query: ReportQuery, what: str, extension: str) -> str:
    return f"webcare-{what}-{query.period.first.isoformat()}-{query.period.last.isoformat()}.{extension}"


@bp.get("")
@role_required(*REPORT_ROLES)
def index():
    query = _query()
    page = report_page(query)
    return render_template("reports/index.html", page=page, query=query, breakdowns=BREAKDOWNS, clocks=list(Clock))


@bp.get("/export/cases.csv")
@role_required(*REPORT_ROLES)
def cases_csv():
    query = _query(None)
    body = stream_with_context(csv_lines(CASE_COLUMNS, case_values(query)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(query, "cases", "csv")}"'},
    )


@bp.get("/export/groups.csv")
@role_required(*REPORT_ROLES)
def groups_csv():
    query = _query()
    header, rows = group_table(query)
    return Response(
        "".join(csv_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(query, "groups", "csv")}"'},
    )


@bp.get("/export/report.xlsx")
@role_required(*REPORT_ROLES)
def report_xlsx():
    query = _query(None)

    def sheets():
        yield ("cases", CASE_COLUMNS, case_values(query))
        for key in EXPORT_BREAKDOWNS:
            header, rows = group_table(ReportQuery(query.period, [key], query.clock, query.now))
            yield (f"by {key}", header, rows)

    output = xlsx_file(sheets())
    return send_file(
        output, mimetype=XLSX_TYPE, as_attachment=True, download_name=_filename(query, "report", "xlsx")
    )

