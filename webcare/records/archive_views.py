"""The records manager's archive export page: closed cases of a period as an MDTO package in a ZIP file."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from flask import render_template, request, send_file
from flask_login import current_user

from webcare.auth.access import role_required
from webcare.records import forms
from webcare.records.archive import closed_cases, creator, export_closed_cases
from webcare.records.views import RECORDS, bp

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _zipped(folder: Path) -> io.BytesIO:
    """The package folder as a ZIP with sorted names and fixed times, so the same package zips the same."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.writestr(zipfile.ZipInfo(path.relative_to(folder).as_posix(), FIXED_ZIP_TIME), path.read_bytes())
    buffer.seek(0)
    return buffer


def _page(form, status: int = 200, preview=None):
    return render_template("records/archive.html", form=form, preview=preview, creator=creator()), status


@bp.get("/archive")
@role_required(*RECORDS)
def archive():
    form = forms.ExportForm(request.args, meta={"csrf": False}, prefix="export")
    preview = None
    if request.args and form.validate():
        preview = closed_cases(form.first.data, form.last.data, form.limit.data)
    return _page(form, preview=preview)


@bp.post("/archive/export")
@role_required(*RECORDS)
def export():
    form = forms.ExportForm(prefix="export")
    if not form.validate_on_submit() or form.last.data < form.first.data:
        return _page(form, 400)
    with tempfile.TemporaryDirectory(prefix="webcare-archive-") as folder:
        export_closed_cases(
            form.first.data,
            form.last.data,
            Path(folder),
            by=current_user,
            address=request.remote_addr or "",
            limit=form.limit.data,
        )
        package = _zipped(Path(folder))
    name = f"webcare-archief-{form.first.data.isoformat()}-{form.last.data.isoformat()}.zip"
    return send_file(package, mimetype="application/zip", as_attachment=True, download_name=name)
