"""One catalog of error codes (server/core/error_codes.py): every code the server raises is in
it, every code in it is raised somewhere, the OpenAPI document lists it, and the codes the kiosk
words itself have its words in both languages."""

from __future__ import annotations

import ast
from pathlib import Path

from kiosk import messages
from qr.errors import REASONS
from server.core import edge, error_codes
from server.core.error_codes import CODES, KIOSK_WORDED
from server.core.errors import DomainError
from server.core.web import HTTP_CODES

SERVER = Path(error_codes.__file__).resolve().parents[1]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _constants(node) -> set[str]:
    """The strings a node can be: a constant, or either side of `a if … else b`."""
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return {node.value} if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else set()


def raised_codes(app) -> set[str]:
    """The codes written in the server's source: a DomainError's code (positional or code=), a
    class's `code`, an order state refusal's, a presence refusal's, a schema's x-error-code."""
    errors = {c.__name__ for c in [DomainError, *_subclasses(DomainError)]}
    found = {c.code for c in [DomainError, *_subclasses(DomainError)] if "code" in vars(c)}
    for path in SERVER.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", "")
                if name in errors and len(node.args) >= 2:
                    found |= _constants(node.args[1])
                if name in ("_error", "_respond") and len(node.args) >= 2:  # answers made
                    found |= _constants(node.args[1])  # without an exception
                if name == "refuse" and node.args:
                    found |= _constants(node.args[1] if len(node.args) >= 3 else node.args[0])
                for keyword in node.keywords:
                    if (keyword.arg == "code" and name in errors) or \
                            keyword.arg == "conflict_code":
                        found |= _constants(keyword.value)
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if key is not None and _constants(key) == {"x-error-code"}:
                        found |= _constants(value)
    # Made at run time: a refused scan is code_<reason>; the project choices' invalid_<field>;
    # the HTTP errors; the JSON Schema validator's; CSRF, a lost database, an unexpected error.
    found |= {f"code_{r}" for r in REASONS | {"used"}}
    found |= {"invalid_brand", "invalid_content_area"}
    found |= set(HTTP_CODES.values()) | {"http_error"} | set(edge.SCHEMA_CODES.values())
    found |= {"invalid", "csrf_failed", "database_unavailable", "server_error"}
    return found


def test_every_code_raised_is_in_the_catalog_and_every_catalogued_code_is_raised(app):
    raised = raised_codes(app)
    # Unique-constraint and index names are string constants too, in the same call shape.
    names = {"activity_id", "client_key", "credit_account_id", "debit_account_id", "kind",
             "month", "name", "phone", "recipient_type", "room_id", "series", "site_id",
             "source_id", "started_at", "status", "step", "subject", "target_type",
             "volunteer_id"}
    assert sorted(raised - names - set(CODES)) == []
    assert sorted(set(CODES) - raised) == []


def test_each_code_has_a_usual_status_and_a_meaning():
    for code, entry in CODES.items():
        assert 400 <= entry.status < 600, code
        assert entry.meaning.strip(), code


def test_the_openapi_document_lists_the_catalog(client):
    document = client.get("/api/v1/openapi.json").get_json()
    code = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
    assert code["enum"] == sorted(CODES)
    assert code["x-codes"]["reason_required"] == {"status": 400, "meaning": "Say why."}


def test_the_kiosks_own_words_cover_the_codes_it_words_in_both_languages():
    assert set(CODES) >= KIOSK_WORDED
    for code in KIOSK_WORDED:
        key = messages.reason_key(code)
        assert key != "unknown", code
        assert messages.ZH[key] and messages.EN[key], code
    # And nothing the kiosk words is missing from the catalog's list of them.
    worded = {c for c in CODES if messages.reason_key(c) != "unknown"}
    assert worded == KIOSK_WORDED


def test_an_answer_with_a_code_outside_the_catalog_fails_under_test(app):
    from server.core.api import error_body

    with app.test_request_context("/api/v1/x"):
        assert error_body("reason_required", "x")["error"]["code"] == "reason_required"
        try:
            error_body("no_such_code_here", "x")
        except error_codes.UnknownCode:
            pass
        else:
            raise AssertionError("an unknown code was answered")
