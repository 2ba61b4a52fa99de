"""The OpenAPI 3 document, built from the API's own routes so it grows with every endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app

from .edge import bounded
from .error_codes import CODES

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
# An <int:…> is an id (core.edge.IdConverter): digits within PostgreSQL's integer.
_TYPES = {"int": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
          "string": {"type": "string"}, None: {"type": "string"}}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                # The catalog (core/error_codes.py): each code, its usual status, its meaning.
                "code": {"type": "string", "enum": sorted(CODES),
                         "description": "stable machine code, one of the catalog's "
                                        "(x-codes: usual status and meaning)",
                         "x-codes": {code: {"status": c.status, "meaning": c.meaning}
                                     for code, c in sorted(CODES.items())}},
                "message": {"type": "string", "description": "for people, in the request locale"},
                "field": {"type": "string", "nullable": True},
                "details": {"type": "object"},
            },
        }
    },
}

# Shared component schemas; feature schemas.py modules add theirs with `component`.
COMPONENTS: dict[str, dict] = {"Error": ERROR_SCHEMA}


def component(name: str, schema: dict) -> dict:
    COMPONENTS[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def documented(summary: str, *, responses: dict, request: dict | None = None,
               query: dict | None = None, tags: tuple[str, ...] = (),
               security: bool | str = False, apart: str | None = None):
    """Attach an OpenAPI operation to a view, and enforce it: the view runs only once its
    query parameters and JSON body match the declared schemas (`core.edge`). `responses`
    maps status -> (description, schema). `apart`: a property of the body holding a list
    whose items the view answers one by one (a kiosk batch), so one bad item does not refuse
    the others; the edge checks the list itself, not its items. `security`: True or
    "session" (an admin's dashboard session), "volunteer" (a volunteer's phone session),
    "kiosk" (the kiosk's bearer secret)."""

    def decorate(view: Callable) -> Callable:
        doc = {
            "summary": summary,
            "responses": responses,
            "request": request,
            "query": query or {},
            "tags": list(tags),
            "security": "session" if security is True else security or None,
            "apart": apart,
        }

        @wraps(view)
        def checked(*args, **kwargs):
            from .edge import check_operation

            check_operation(doc)
            return view(*args, **kwargs)

        checked.__openapi__ = doc
        return checked

    return decorate


def _operation(rule, doc: dict) -> dict:
    params = [
        {"name": name, "in": "path", "required": True, "schema": _TYPES.get(conv, _TYPES[None])}
        for conv, name in _CONVERTER.findall(rule.rule)
    ]
    params += [
        {"name": name, "in": "query", "required": False, "schema": bounded(schema)}
        for name, schema in doc["query"].items()
    ]
    declared = dict(doc["responses"])
    for status, description in _implied(rule, doc).items():
        declared.setdefault(status, (description, ref("Error")))
    responses = {}
    for status, (description, schema) in sorted(declared.items()):
        entry = {"description": description}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        responses[str(status)] = entry
    op = {
        "summary": doc["summary"],
        "operationId": rule.endpoint.replace(".", "_"),
        "responses": responses,
    }
    if doc["tags"]:
        op["tags"] = doc["tags"]
    if params:
        op["parameters"] = params
    if doc["request"] is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": doc["request"]}},
        }
    if doc["security"]:
        op["security"] = [{doc["security"]: []}]
    return op


def _implied(rule, doc: dict) -> dict[int, str]:
    """Statuses every operation of this shape can answer, from the edge and the auth checks,
    whether or not its view lists them."""
    implied = {400: "invalid input (text with control characters, a parameter or body that "
                    "breaks its schema)"}
    if rule.arguments:
        implied[404] = "not found"
        # A path value its converter refuses (e.g. a negative id) can match another route of
        # the same shape that has other methods: the router answers 405 with Allow.
        implied[405] = "no such operation at this address"
    if rule.methods & {"POST", "PUT", "PATCH"}:
        implied[413] = "request body too large"
    if doc["security"] == "kiosk":
        implied.update({401: "unknown kiosk secret", 403: "kiosk revoked"})
    elif doc["security"] == "volunteer":
        implied.update({401: "volunteer login required", 403: "not this volunteer's"})
    elif doc["security"]:
        implied.update({401: "login required", 403: "outside your scope"})
    return implied


def undocumented_rules(app: Flask) -> list[str]:
    """API routes without an OpenAPI operation: a test keeps this list empty."""
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith(API_PREFIX) and not hasattr(view, "__openapi__"):
            missing.append(rule.rule)
    return missing


def _referenced(schema, found: set[str]) -> set[str]:
    """The component names `schema` refers to, directly or through other components."""
    if isinstance(schema, dict):
        name = schema.get("$ref", "").rsplit("/", 1)[-1]
        if name and name not in found:
            found.add(name)
            _referenced(COMPONENTS[name], found)
        for value in schema.values():
            _referenced(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _referenced(value, found)
    return found


def document() -> dict:
    app = current_app
    paths: dict[str, dict] = {}
    requested: set[str] = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "__openapi__", None)
        if doc is None or not rule.rule.startswith(API_PREFIX):
            continue
        path = _CONVERTER.sub(r"{\2}", rule.rule[len(API_PREFIX):]) or "/"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, doc)
            _referenced(doc["request"], requested)
    # Request schemas say what the edge enforces: integers bounded unless they say otherwise.
    schemas = {name: bounded(schema) if name in requested else schema
               for name, schema in COMPONENTS.items()}
    cookie = app.config["SESSION_COOKIE_NAME"]  # "__Host-session" when served over https
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "文明服务码 API",
            "version": "1",
            "description": "Service codes, kiosks, sign-in, time bank and service orders.",
        },
        "servers": [{"url": app.config["BASE_URL"].rstrip("/") + API_PREFIX}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": cookie,
                            "description": "an admin's dashboard session; writes also send "
                                           "X-CSRFToken (GET /me)"},
                "volunteer": {"type": "apiKey", "in": "cookie",
                              "name": app.config["VOLUNTEER_COOKIE_NAME"],
                              "description": "a volunteer's phone session (one-time login "
                                             "link); writes also send X-CSRFToken"},
                "kiosk": {"type": "http", "scheme": "bearer",
                          "description": "the secret a kiosk received when it enrolled"},
            },
        },
    }
