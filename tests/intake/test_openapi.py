"""The published OpenAPI description of /api/v1 is true: it covers every route, and Schemathesis, generating
requests from it (valid and invalid), gets no server error and only answers the description allows."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from webcare.auth.services import create_api_token

# Not positive_data_acceptance: the server checks more than a schema can say (created_at between 2000 and
# tomorrow, no control characters in text), so valid-by-schema data may rightly get 422.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def test_the_description_is_served_and_names_every_api_route_and_method(app, client):
    response = client.get("/api/v1/openapi.json")

    spec = response.get_json()
    assert response.status_code == 200 and spec["openapi"].startswith("3.")
    described = {("/api/v1" + path, method.upper()) for path, item in spec["paths"].items() for method in item}
    routed = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert described == routed


@pytest.fixture
def bearer(app) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token('schemathesis')}"}


@pytest.mark.parametrize("mode", list(GenerationMode), ids=[mode.value for mode in GenerationMode])
def test_the_api_keeps_to_its_description(app, bearer, mode):
    # Schemathesis's own pytest loader (`from_fixture`) reaches into pytest internals that pytest 9 no longer has;
    # its strategies run under plain Hypothesis here, with the suite's profile.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert "POST /messages" in [operation.label for operation in operations]
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        def keeps_to_it(case):
            case.call_and_validate(headers=bearer, checks=CHECKS)

        keeps_to_it()
