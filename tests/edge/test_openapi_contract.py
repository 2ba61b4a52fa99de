"""The OpenAPI document against the URL map and against the app's own answers: every API
route is documented with its parameters, its security scheme and every status it answers;
an unknown method is 405 with Allow."""

from __future__ import annotations

import re

import pytest

from tests.conftest import BASE_URL

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]


def _path(rule) -> str:
    return PARAM.sub(r"{\1}", rule.rule[len("/api/v1"):])


def test_every_route_and_method_is_documented_with_its_parameters(app, document):
    for rule in _api_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = document["paths"][_path(rule)][method.lower()]
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(rule.arguments), rule.rule
            for param in op.get("parameters", []):
                if param["schema"].get("type") == "integer":
                    assert "maximum" in param["schema"], (rule.rule, param)
            assert "400" in op["responses"], rule.rule
            if method in ("POST", "PATCH", "PUT"):
                assert "413" in op["responses"], rule.rule


def test_security_schemes_are_declared(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["kiosk"] == {"type": "http", "scheme": "bearer",
                                "description": schemes["kiosk"]["description"]}
    assert {"session", "volunteer", "kiosk"} <= set(schemes)
    paths = document["paths"]
    for path, ops in paths.items():
        if path.startswith("/kiosk/") and path != "/kiosk/enroll":
            for op in ops.values():
                assert op["security"] == [{"kiosk": []}], path
    for action in ("accept", "reject", "start"):
        assert paths[f"/orders/{{number}}/{action}"]["post"]["security"] == [{"volunteer": []}]
    for op in (paths["/sites"]["get"], paths["/sites/{site_id}"]["patch"]):
        assert op["security"] == [{"session": []}]
    for ops in paths.values():
        for op in ops.values():
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes)


def _example(name: str) -> str:
    return "1" if name.endswith("_id") else "x"


def test_anonymous_answers_are_documented(app, client, document):
    """Each operation called with no credentials and an empty body: the answer's status is
    one the document lists, and a 401 comes from an operation that declares a scheme."""
    seen = []
    for rule in _api_rules(app):
        path = PARAM.sub(lambda m: _example(m.group(1)), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = document["paths"][_path(rule)][method.lower()]
            kwargs = {"json": {}} if method != "GET" else {}
            response = client.open(path, method=method, **kwargs)
            seen.append((method, rule.rule, response.status_code))
            assert response.status_code < 500, (method, path)
            assert str(response.status_code) in op["responses"], (method, rule.rule,
                                                                  response.status_code)
            if response.status_code == 401:
                assert op.get("security"), (method, rule.rule)
    assert len(seen) >= 40


@pytest.mark.parametrize("method", ["TRACE", "FOO", "PUT"])
def test_unknown_methods_are_405_with_allow(app, client, method):
    for rule in _api_rules(app):
        if method in rule.methods:
            continue
        path = PARAM.sub(lambda m: _example(m.group(1)), rule.rule)
        response = client.open(path, method=method)
        if response.status_code == 405:
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert rule.methods <= allowed, (path, allowed)
            assert response.get_json()["error"]["code"] == "method_not_allowed"
        else:  # another rule of the same path takes this method
            assert response.status_code != 500


def test_trace_on_a_page_is_405_with_allow(client):
    response = client.open("/login", method="TRACE")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_the_document_is_valid_openapi(document):
    from openapi_spec_validator import validate

    validate(document)
    assert document["servers"][0]["url"] == BASE_URL + "/api/v1"
