"""The readable rendition of a case as PDF/A-2b (WeasyPrint), the same bytes every time for the same case."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from webcare.inbox.services import departments
from webcare.records.dossier import Dossier
from webcare.resources import PACKAGE_DIR

PDF_VARIANT = "pdf/a-2b"
STYLESHEET = PACKAGE_DIR / "static" / "records-rendition.css"


def rendition_html(found: Dossier, creator: str) -> str:
    with force_locale("nl"):
        return render_template(
            "records/case_rendition.html", dossier=found, case=found.case, creator=creator, departments=departments()
        )


def rendition_pdf(found: Dossier, creator: str) -> bytes:
    """PDF/A-2b whose dates and identifier come from the case, not the clock, so exporting again is byte-identical."""
    # WeasyPrint loads Pango and its fonts (0.6 s, tens of MB): only the processes that export pay for it.
    from weasyprint import CSS, HTML

    html = HTML(string=rendition_html(found, creator), base_url=str(PACKAGE_DIR))
    return html.write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))],
        pdf_variant=PDF_VARIANT,
        pdf_identifier=f"webcare-case-{found.case.id}".encode(),
    )
