"""The privacy officer's pages: search across channels, register a request, download the package, erase."""

import io
import zipfile

from webcare.auth.models import Role
from webcare.extensions import db
from webcare.records import subjects
from webcare.records.models import SubjectRequest, SubjectRequestKind, SubjectRequestStatus
from webcare.records.residents import find_identities


def test_the_privacy_officer_finds_a_resident_registers_an_access_request_and_downloads_it(
    app, client, auth, fatima, csrf_from
):
    auth.login_as(fatima)

    page = client.get("/records/residents?q=fatima").get_data(as_text=True)
    token = csrf_from(page)
    identity_ids = [str(identity.id) for identity in find_identities("fatima")]
    registered = client.post(
        "/records/requests?q=fatima",
        data={
            "request-csrf_token": token,
            "request-kind": "access",
            "request-resident": "Fatima El Amrani",
            "request-received_on": "2025-06-02",
            "request-identities": identity_ids,
        },
    )
    download = client.post(registered.headers["Location"] + "/package", data={"csrf_token": token})

    assert "Lantaarnpaal kapot" in page and "Mijn container is niet geleegd" in page
    assert "Vraag van iemand anders" not in page
    assert registered.status_code == 303 and download.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(download.data)).namelist()) == 4
    assert (
        db.session.get(SubjectRequest, int(registered.headers["Location"].rsplit("/", 1)[1])).status
        == SubjectRequestStatus.DONE
    )


def test_a_request_without_identities_is_refused(app, client, auth, fatima, csrf_from):
    auth.login_as(fatima)
    token = csrf_from(client.get("/records/residents?q=fatima").get_data(as_text=True))

    response = client.post(
        "/records/requests?q=fatima",
        data={
            "request-csrf_token": token,
            "request-kind": "erasure",
            "request-resident": "Fatima",
            "request-received_on": "2025-06-02",
        },
    )

    assert response.status_code == 400


def test_records_managers_may_not_search_residents(app, client, auth, make_user):
    auth.login_as(make_user(Role.RECORDS_MANAGER))

    assert client.get("/records/residents?q=fatima").status_code == 403


def test_the_privacy_officer_puts_a_resident_on_hold_and_the_erasure_is_then_refused(
    app, client, auth, fatima, csrf_from
):
    request = subjects.register_request(SubjectRequestKind.ERASURE, "Fatima", find_identities("fatima"), by=fatima)
    auth.login_as(fatima)
    token = csrf_from(client.get(f"/records/requests/{request.id}").get_data(as_text=True))

    held = client.post(
        f"/records/requests/{request.id}/hold", data={"hold-csrf_token": token, "hold-reason": "Bezwaarprocedure"}
    )
    erased = client.post(f"/records/requests/{request.id}/erase", data={"csrf_token": token})

    assert held.status_code == 303 and erased.status_code == 303
    assert db.session.get(SubjectRequest, request.id).status == SubjectRequestStatus.REFUSED
    assert "bevroren" in db.session.get(SubjectRequest, request.id).outcome
