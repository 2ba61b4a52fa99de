"""The OpenAPI 3 document, built from the API's own routes so it grows with every endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, current_app

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": {"type": "integer"}, "string": {"type": "string"}, None: {"type": "string"}}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable machine code"},
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
               query: dict | None = None, tags: tuple[str, ...] = (), security: bool = False):
    """Attach an OpenAPI operation to a view. `responses` maps status -> (description, schema)."""

    def decorate(view: Callable) -> Callable:
        view.__openapi__ = {
            "summary": summary,
            "responses": responses,
            "request": request,
            "query": query or {},
            "tags": list(tags),
            "security": security,
        }
        return view

    return decorate


def _operation(rule, doc: dict) -> dict:
    params = [
        {"name": name, "in": "path", "required": True, "schema": _TYPES.get(conv, _TYPES[None])}
        for conv, name in _CONVERTER.findall(rule.rule)
    ]
    params += [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in doc["query"].items()
    ]
    responses = {}
    for status, (description, schema) in doc["responses"].items():
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
        op["security"] = [{"session": []}]
    return op


def undocumented_rules(app: Flask) -> list[str]:
    """API routes without an OpenAPI operation: a test keeps this list empty."""
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith(API_PREFIX) and not hasattr(view, "__openapi__"):
            missing.append(rule.rule)
    return missing


def document() -> dict:
    app = current_app
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "__openapi__", None)
        if doc is None or not rule.rule.startswith(API_PREFIX):
            continue
        path = _CONVERTER.sub(r"{\2}", rule.rule[len(API_PREFIX):]) or "/"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, doc)
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
            "schemas": dict(COMPONENTS),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
