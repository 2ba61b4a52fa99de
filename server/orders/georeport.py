"""GeoReport v2 wire formats: one document, written as the spec's XML or as its JSON."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from flask import Response

__all__ = ["FORMATS", "MIMETYPES", "errors", "format_of", "printable", "response", "to_json",
           "to_xml"]

FORMATS = ("xml", "json")
MIMETYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# XML names a list by its container and each entry by an element of its own; the JSON form
# (the spec's "Spark convention") keeps only the list. These are the spec's pairs.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

# The spec asks for this declaration, with double quotes and encoding="UTF-8".
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters XML 1.0 cannot carry (C0 controls other than tab and line breaks, lone
# surrogates, U+FFFE/U+FFFF). Stored text predating the edge checks may hold them; writing
# them would make a document no parser accepts, or fail to encode at all.
_NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def printable(text: str) -> str:
    """`text` with every character that XML 1.0 or UTF-8 cannot carry replaced by U+FFFD."""
    return _NOT_IN_XML.sub("\ufffd", text)


def format_of(path: str) -> str:
    """The format a path asks for: `.json` is JSON; anything else gets the spec's base, XML."""
    return "json" if path.endswith(".json") else "xml"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return printable(str(value))


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(ITEM_NAMES[name], child))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, document) -> bytes:
    """`document` (dicts, lists, scalars) as the spec's XML under the element `root`."""
    return XML_DECLARATION + ET.tostring(_element(root, document), encoding="utf-8",
                                         xml_declaration=False)


def _cleaned(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _cleaned(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_cleaned(child) for child in value]
    return value


def to_json(document) -> bytes:
    return json.dumps(_cleaned(document), ensure_ascii=False, allow_nan=False).encode("utf-8")


def response(fmt: str, root: str, document, status: int = 200,
             headers: dict | None = None) -> Response:
    body = to_xml(root, document) if fmt == "xml" else to_json(document)
    return Response(body, status=status, headers=headers, content_type=MIMETYPES[fmt])


def errors(fmt: str, status: int, code: str, description, headers: dict | None = None
           ) -> Response:
    """The spec's error array: `code` is our stable machine code (the spec allows codes more
    specific than the HTTP status, which the response carries anyway)."""
    return response(fmt, "errors", [{"code": code, "description": str(description)}], status,
                    headers)
