"""Archive export: every XML validates against MDTO 1.0.2, the PDFs are PDF/A, re-export gives equal checksums."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from pypdf import PdfReader
from sqlalchemy import select

from tests.records.builders import LATER, closed_history
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import CaseEvent
from webcare.records.archive import export_closed_cases
from webcare.records.models import AccessKind, AccessLogEntry

SCHEMA_PATH = Path(__file__).parent / "mdto" / "MDTO-XML1.0.2.xsd"
PERIOD = (date(2025, 1, 1), date(2025, 3, 31))


@pytest.fixture(scope="module")
def mdto_schema():
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def _checksums(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*.pdf.mdto.xml")) + sorted(folder.rglob("*.json.mdto.xml")):
        found[path.name] = re.search(r"<checksumWaarde>([0-9a-f]{64})</checksumWaarde>", path.read_text()).group(1)
    return found


def test_the_export_of_closed_cases_validates_against_mdto_and_the_pdfs_are_pdf_a(
    app, make_user, tmp_path, mdto_schema
):
    cases = closed_history(app, make_user)

    exported = export_closed_cases(*PERIOD, tmp_path, by=make_user(Role.RECORDS_MANAGER), now=LATER)

    assert sorted(item.case_id for item in exported) == sorted(cases[key].id for key in "abcde")
    xml_files = sorted(tmp_path.rglob("*.xml"))
    assert len(xml_files) == 5 * 3
    for path in xml_files:
        mdto_schema.validate(str(path))
    for path in tmp_path.rglob("*.pdf"):
        metadata = PdfReader(path).xmp_metadata
        assert metadata is not None
        xmp = metadata.rdf_root.toxml()
        assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp


def test_the_pdf_holds_the_conversation_both_ways_and_the_escalation(app, make_user, tmp_path):
    cases = closed_history(app, make_user)

    export_closed_cases(*PERIOD, tmp_path, by=None, now=LATER)

    text = "".join(
        page.extract_text()
        for page in PdfReader(tmp_path / f"zaak-{cases['b'].id}" / f"zaak-{cases['b'].id}.pdf").pages
    )
    assert "Vraag b?" in text and "Antwoord b" in text
    assert "Container niet geleegd bij Fatima" in text and "Wordt morgen geleegd" in text


def test_exporting_again_gives_the_same_checksums_and_each_case_records_its_transfer(app, make_user, tmp_path):
    cases = closed_history(app, make_user)
    manager = make_user(Role.RECORDS_MANAGER)

    first = export_closed_cases(*PERIOD, tmp_path / "first", by=manager, now=LATER)
    second = export_closed_cases(*PERIOD, tmp_path / "second", by=manager, now=LATER)

    assert [item.checksums for item in first] == [item.checksums for item in second]
    assert _checksums(tmp_path / "first") == _checksums(tmp_path / "second")
    transfers = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == cases["a"].id, CaseEvent.kind == "transferred")
    ).all()
    assert [(event.actor_id, event.at) for event in transfers] == [(manager.id, LATER)] * 2
    logged = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.kind == AccessKind.EXPORT)).all()
    assert len(logged) == 10 and {entry.user_id for entry in logged} == {manager.id}


def test_an_open_case_and_a_case_closed_outside_the_period_are_not_exported(app, make_user, tmp_path):
    closed_history(app, make_user)

    assert export_closed_cases(date(2025, 4, 1), date(2025, 4, 30), tmp_path, by=None, now=LATER) == []


def test_the_archive_export_command_writes_the_package_for_the_period(app, make_user, runner, tmp_path, mdto_schema):
    closed_history(app, make_user)
    manager = make_user(Role.RECORDS_MANAGER)

    result = runner.invoke(
        args=[
            "archive",
            "export",
            "--from",
            "2025-01-01",
            "--to",
            "2025-03-31",
            "--by",
            manager.email,
            str(tmp_path / "package"),
        ]
    )

    assert result.exit_code == 0, result.output
    assert "5 cases exported" in result.output
    assert len(list((tmp_path / "package").rglob("*.pdf"))) == 5


def test_the_archive_export_command_refuses_an_unknown_user(app, runner, tmp_path):
    result = runner.invoke(
        args=[
            "archive",
            "export",
            "--from",
            "2025-01-01",
            "--to",
            "2025-03-31",
            "--by",
            "niemand@example.org",
            str(tmp_path),
        ]
    )

    assert result.exit_code == 2 and "no user" in result.output


def test_the_records_manager_downloads_the_package_from_the_archive_page(app, client, auth, make_user, csrf_from):
    cases = closed_history(app, make_user)
    auth.login_as(make_user(Role.RECORDS_MANAGER))

    preview = client.get("/records/archive?export-first=2025-01-01&export-last=2025-03-31&export-limit=50")
    token = csrf_from(preview.get_data(as_text=True))
    download = client.post(
        "/records/archive/export",
        data={"csrf_token": token, "export-first": "2025-01-01", "export-last": "2025-03-31", "export-limit": "50"},
    )

    assert f"#{cases['a'].id}" in preview.get_data(as_text=True)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert f"zaak-{cases['a'].id}/zaak-{cases['a'].id}.mdto.xml" in names and len(names) == 5 * 5


def test_agents_may_not_export_to_the_archive(app, client, auth, make_user):
    auth.login_as(make_user(Role.AGENT, Role.PRIVACY_OFFICER))

    assert client.get("/records/archive").status_code == 403


@pytest.mark.slow
def test_an_export_of_the_demos_closed_cases_validates_and_its_pdfs_are_pdf_a(app, runner, tmp_path, mdto_schema):
    assert runner.invoke(args=["demo", "--weeks", "2"]).exit_code == 0

    exported = export_closed_cases(date(2000, 1, 1), date(2100, 1, 1), tmp_path, by=None, limit=12)

    assert len(exported) == 12
    for path in sorted(tmp_path.rglob("*.xml")):
        mdto_schema.validate(str(path))
    for path in tmp_path.rglob("*.pdf"):
        assert 'pdfaid:part="2"' in PdfReader(path).xmp_metadata.rdf_root.toxml()
