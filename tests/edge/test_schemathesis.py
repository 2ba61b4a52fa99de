"""Schemathesis against the app's own OpenAPI document, on both databases: every operation is
called with generated input (valid and invalid) under the security scheme it declares, and
every answer must be no 5xx, a status the document lists, the content type it names and a body
that matches its schema. Bounded (a few examples per operation) so it runs in every CI pass;
the failures of all operations are gathered, so one run names them all."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))  # per operation, mode and database


@pytest.fixture
def credentials(app, client, network, enroll_kiosk, create_admin, login, make_volunteer,
                phone_login):
    """(headers, cookies) for each scheme the document declares: a kiosk's bearer token, a
    district admin's dashboard session (cookie and CSRF token), a volunteer's phone session.
    Cookies go apart from headers: Werkzeug's test client (schemathesis's WSGI transport) sends
    its own cookie jar and drops a hand-written Cookie header."""
    volunteer = make_volunteer()  # first: the test's own writes come before any request
    kiosk = enroll_kiosk()
    cookie = app.config["SESSION_COOKIE_NAME"]  # __Host-session behind https
    csrf = login(create_admin("district_admin", network["center"]))
    phone = app.test_client()
    phone_csrf = phone_login(phone, volunteer)
    return {"kiosk": (kiosk.headers, {}),
            "session": ({"X-CSRFToken": csrf}, {cookie: client.get_cookie(cookie).value}),
            "volunteer": ({"X-CSRFToken": phone_csrf},
                          {name: phone.get_cookie(name).value
                           for name in (cookie, app.config["VOLUNTEER_COOKIE_NAME"])})}


def test_every_operation_answers_as_its_document_says(app, credentials):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    document = schema.raw_schema
    failures: list[str] = []
    operations = 0
    statuses: dict[int, int] = {}
    unbreakable: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        declared = document["paths"][operation.path][operation.method.lower()]
        headers: dict = {}
        cookies: dict = {}
        for requirement in declared.get("security", []):
            for scheme in requirement:
                headers.update(credentials[scheme][0])
                cookies.update(credentials[scheme][1])

        def check(case, headers=headers, cookies=cookies, label=operation.label):
            response = case.call(headers=headers, cookies=cookies)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:  # noqa: BLE001  (gathered: every operation is tried)
                failures.append(f"{label} {case.path_parameters} {case.query} "
                                f"{str(case.body)[:120]!r} -> {response.status_code}: "
                                f"{str(exc)[:400]}")

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                check(case)

            try:
                call()
            except Unsatisfiable:
                # Nothing to break: an operation with no parameters and no body has no
                # invalid input to generate.
                assert mode is GenerationMode.NEGATIVE, operation.label
                unbreakable.append(operation.label)
    print(f"{operations} operations, {sum(statuses.values())} calls, statuses {statuses}, "
          f"{len(unbreakable)} without invalid input")
    assert operations >= 30, operations
    assert failures == [], "\n".join(failures[:40])
