"""The JSON API edge: the /api/v1 blueprint, the one error shape, and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import openapi
from .error_codes import checked

bp = Blueprint("api", __name__, url_prefix=openapi.API_PREFIX)


def error_body(code: str, message: str, *, field: str | None = None,
               details: dict | None = None) -> dict:
    return {"error": {"code": checked(code), "message": str(message), "field": field,
                      "details": details or {}}}


def wants_json() -> bool:
    return request.path.startswith(openapi.API_PREFIX) or request.is_json


def error_responses(*statuses: int) -> dict:
    """The standard error entries for `documented(responses=...)`."""
    text = {400: "invalid input", 401: "login required", 403: "outside your scope",
            404: "not found", 409: "conflict with the current state",
            410: "no longer valid (a revoked or expired code)", 422: "unprocessable",
            429: "too many requests"}
    return {s: (text[s], openapi.ref("Error")) for s in statuses}


def json_body() -> dict:
    """The request's JSON object, or a 400 in the standard shape."""
    from .errors import ValidationError
    from .i18n import _l

    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(_l("The request body must be a JSON object."), "invalid_json")
    return data


@bp.get("/openapi.json")
@openapi.documented("This OpenAPI document", responses={200: ("OpenAPI 3 document", None)},
                    tags=("meta",))
def openapi_document():
    return jsonify(openapi.document())
