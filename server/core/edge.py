"""Input checked once, at the edge, before any view or operation sees it.

Every request: names and values of the query string and of a form, and the path's own
values, hold no NUL, no other C0 control but tab and line breaks, no DEL and no lone
surrogate (400 `invalid_text`). JSON is parsed by
`JSONProvider`, which turns a body nested deeper than the parser can go into a plain parse
failure (400), and refuses NaN and Infinity. An `<int:…>` in a route is an id: ASCII digits
within PostgreSQL's integer, else the route does not match (404).

Every API operation (`core.openapi.documented`): its query parameters and JSON body are
validated against the schema its OpenAPI document declares (jsonschema), after the view's
own authentication decorators ran. Integers in request schemas are bounded by PostgreSQL's
integer unless the schema says otherwise, in the document and here alike (`bounded`), so the
document and the behaviour cannot drift. The answers are the same on SQLite and PostgreSQL:
nothing out of range reaches the database.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import best_match
from werkzeug.routing import IntegerConverter

from .errors import ValidationError
from .i18n import _l
from .schema import ID_MAX

# NUL and the other C0 controls but tab, line feed and carriage return, DEL, lone surrogates.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
INT32 = (-(2**31), 2**31 - 1)
# JSON numbers every client reads exactly; a larger integer is refused wherever it stands.
JSON_INT_MAX = 2**53
# Deeper JSON than any of our shapes (a kiosk batch is 4 levels): refused before it is walked.
DEPTH_MAX = 32
YEAR_RANGE = (1970, 9998)


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def printable(text: str) -> str:
    """`text` with what `has_control` refuses replaced by U+FFFD (for echoing it safely)."""
    return CONTROL.sub("\ufffd", text)


def _text_refused(field: str | None) -> ValidationError:
    return ValidationError(
        _l("%(field)s holds characters that cannot be shown (such as NUL).",
           field=printable(field or "")[:40] or _l("The request")), "invalid_text", field=field)


def refuse_control_characters(pairs: Iterable[tuple[str, object]]) -> None:
    """400 invalid_text for the first name or value holding a control character."""
    for name, value in pairs:
        for text in (name, value):
            if isinstance(text, str) and has_control(text):
                raise _text_refused(name if isinstance(name, str) else None)


def problem_in(value, field: str = "") -> ValidationError | None:
    """What is wrong with a parsed JSON value wherever it stands in it, or None: text with
    control characters (keys too), integers past 2**53, non-finite numbers, nesting deeper
    than DEPTH_MAX. Walked without recursion: the value may be as deep as the parser allows."""
    stack = [(value, field, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > DEPTH_MAX:
            return ValidationError(_l("The request is nested too deeply."), "too_deep",
                                   field=where or None)
        if isinstance(item, str):
            if has_control(item):
                return _text_refused(where or None)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if abs(item) > JSON_INT_MAX:
                return _number_refused(where or None)
        elif isinstance(item, float):
            if not math.isfinite(item):
                return _number_refused(where or None)
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = f"{where}.{key}" if where else str(key)
                if has_control(key):
                    return _text_refused(printable(name))
                stack.append((inner, name, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}.{i}" if where else str(i), depth + 1)
                         for i, inner in enumerate(item))
    return None


def _number_refused(field: str | None) -> ValidationError:
    return ValidationError(_l("%(field)s is not a number we can use.",
                              field=field or _l("The request")), "invalid_number", field=field)


# ---- JSON Schema: the OpenAPI document's schemas, validated -------------------------------

def bounded(schema):
    """A copy of a request schema in which every integer without its own bounds is bounded
    by PostgreSQL's integer: applied to the document's request schemas and to validation."""
    if isinstance(schema, list):
        return [bounded(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("enum", "example", "required", "default"):
            out[key] = value
        elif key == "properties":
            out[key] = {name: bounded(inner) for name, inner in value.items()}
        else:
            out[key] = bounded(value)
    kind = out.get("type")
    if kind == "integer" or isinstance(kind, list) and "integer" in kind:
        out.setdefault("minimum", INT32[0])
        out.setdefault("maximum", INT32[1])
    return out


def _json_schema(schema, components: dict):
    """OpenAPI 3.0 → JSON Schema: $ref inlined from components, `nullable` as a null type."""
    if isinstance(schema, list):
        return [_json_schema(s, components) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _json_schema(components[schema["$ref"].rsplit("/", 1)[1]], components)
    out = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "description"):
            continue
        if key == "properties":
            out[key] = {k: _json_schema(v, components) for k, v in value.items()}
        elif isinstance(value, dict | list) and key not in ("enum", "required"):
            out[key] = _json_schema(value, components)
        else:
            out[key] = value
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


formats = FormatChecker(formats=())


@formats.checks("date-time", raises=(ValueError, OverflowError))
def _date_time(value) -> bool:
    """ISO 8601 with an offset, that can be moved into UTC, years 1970 to 9998."""
    if not isinstance(value, str):
        return True
    if len(value) > 40 or not value.isascii():
        return False
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.tzinfo is not None \
        and YEAR_RANGE[0] <= moment.astimezone(UTC).year <= YEAR_RANGE[1]


SCHEMA_CODES = {"type": "invalid_type", "maximum": "invalid_number", "minimum": "invalid_number",
          "exclusiveMaximum": "invalid_number", "exclusiveMinimum": "invalid_number",
          "maxLength": "too_long", "minLength": "required", "required": "required",
          "additionalProperties": "unknown_field", "enum": "invalid_choice",
          "pattern": "invalid_format", "format": "invalid_format", "maxItems": "too_many"}


def _message(code: str, field: str | None):
    label = field or _l("The request")
    return {
        "invalid_type": _l("%(field)s has the wrong type.", field=label),
        "invalid_number": _l("%(field)s is out of range.", field=label),
        "too_long": _l("%(field)s is too long.", field=label),
        "required": _l("%(field)s is required.", field=label),
        "unknown_field": _l("Unknown fields: %(f)s", f=label),
        "invalid_choice": _l("%(field)s is not one of the allowed values.", field=label),
        "invalid_format": _l("%(field)s is not in the expected format.", field=label),
        "too_many": _l("%(field)s has too many entries.", field=label),
    }.get(code, _l("%(field)s is not valid.", field=label))


# Validators compiled once per schema object (schemas are module constants; the entry keeps
# its schema alive, so an id is never reused for another while it is cached).
_validators: dict[int, tuple[dict, Draft7Validator]] = {}


def _validator(schema: dict) -> Draft7Validator:
    entry = _validators.get(id(schema))
    if entry is None or entry[0] is not schema:
        from .openapi import COMPONENTS

        compiled = Draft7Validator(bounded(_json_schema(schema, COMPONENTS)),
                                   format_checker=formats)
        entry = _validators[id(schema)] = (schema, compiled)
    return entry[1]


def schema_problem(instance, schema: dict, field: str = "") -> ValidationError | None:
    """The first way `instance` breaks the (OpenAPI) `schema`, as a ValidationError naming
    the field, or None."""
    validator = _validator(schema)
    if validator.is_valid(instance):
        return None
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    # A schema may name the stable code its own refusal has (`x-error-code`, on the property;
    # on the object for an unknown field), so a field keeps the code its clients know.
    code = error.schema.get("x-error-code") or SCHEMA_CODES.get(error.validator, "invalid")
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        path.append(missing[0] if missing else "")
        inner = error.schema.get("properties", {}).get(path[-1], {})
        code = inner.get("x-error-code") or SCHEMA_CODES["required"]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = sorted(str(k) for k in error.instance if k not in known)
        return ValidationError(_message(code, printable(", ".join(extra))), code,
                               field=(field + "." if field else "") + ".".join(path) or None)
    name = ".".join(([field] if field else []) + path) or None
    return ValidationError(_message(code, name), code, field=name)


# ---- the operation's parameters and body ----------------------------------------------------

_INTEGER = re.compile(r"-?[0-9]{1,19}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _parameter(name: str, raw: str, schema: dict):
    kind = schema.get("type")
    if kind == "integer":
        return int(raw) if _INTEGER.fullmatch(raw) else raw
    if kind == "boolean":
        return _BOOLEANS.get(raw, raw)
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return number if math.isfinite(number) else raw
    return raw


def check_operation(doc: dict) -> None:
    """Raise the ValidationError of the first query parameter or body part that breaks the
    operation's declared schema. Called by `documented` views before they run."""
    for name, schema in doc["query"].items():
        for raw in request.args.getlist(name):
            if raw == "" and schema.get("type") != "string":
                continue  # an empty field of a form is "not given"
            problem = schema_problem(_parameter(name, raw, schema), schema, field=name)
            if problem is not None:
                if problem.code == "invalid_type":
                    problem = ValidationError(_message("invalid_format", name),
                                              "invalid_parameter", field=name)
                raise problem
    schema = doc["request"]
    if schema is None:
        return
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationError(_l("The request body must be a JSON object."), "invalid_json")
    apart = doc.get("apart")
    if apart and isinstance(data, dict):
        schema = _without_items(doc)
        walked = {k: v for k, v in data.items() if k != apart}
    else:
        walked = data
    problem = problem_in(walked) or schema_problem(data, schema)
    if problem is not None:
        raise problem


_apart: dict[int, tuple[dict, dict]] = {}


def _without_items(doc: dict) -> dict:
    """The operation's body schema without the items of its `apart` list (made once)."""
    entry = _apart.get(id(doc))
    if entry is None or entry[0] is not doc:
        from .openapi import COMPONENTS

        resolved = _json_schema(doc["request"], COMPONENTS)
        inner = dict(resolved["properties"][doc["apart"]])
        inner.pop("items", None)  # the view answers each item on its own
        entry = _apart[id(doc)] = (doc, dict(resolved, properties=dict(
            resolved["properties"], **{doc["apart"]: inner})))
    return entry[1]


# ---- request body caps ------------------------------------------------------------------------

MB = 1024 * 1024
# What a route may be sent, unless its view says otherwise with `body_limit`: a JSON call of the
# API, a page's form. Past it: 413 in the route's own shape (JSON for the API, the error page
# for pages), before the body is read. MAX_CONTENT_LENGTH (8 MB) is the ceiling over all.
API_BODY_MAX = 256 * 1024
FORM_BODY_MAX = 1 * MB


def body_limit(limit: int):
    """A view's own cap on the request body (a kiosk batch, a photo upload), in bytes."""

    def decorate(view):
        view.max_body = limit
        return view

    return decorate


def _body_cap(app: Flask) -> int:
    view = app.view_functions.get(request.endpoint) if request.endpoint else None
    limit = getattr(view, "max_body", None)
    if limit is None:
        from .openapi import API_PREFIX

        limit = API_BODY_MAX if request.path.startswith(API_PREFIX) else FORM_BODY_MAX
    ceiling = app.config.get("MAX_CONTENT_LENGTH")
    return min(limit, ceiling) if ceiling else limit


# ---- installed on the app ---------------------------------------------------------------------

class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested past the parser's depth is a parse failure like
    any other (a 400, not a RecursionError), and NaN and Infinity are not JSON."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _not_json)
        try:
            return json.loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


class IdConverter(IntegerConverter):
    """`<int:…>`: an id, ASCII digits within PostgreSQL's integer; anything else matches
    nothing (404), as no row can have it."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=0, max=ID_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converters(app: Flask) -> None:
    """Before any route is added."""
    app.url_map.converters["int"] = IdConverter


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_control_characters():
        request.max_content_length = _body_cap(app)
        if request.routing_exception is not None:
            return
        refuse_control_characters((request.view_args or {}).items())
        refuse_control_characters(request.args.items(multi=True))
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            refuse_control_characters(request.form.items(multi=True))
