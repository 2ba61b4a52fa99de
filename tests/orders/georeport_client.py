"""A small Open311 GeoReport v2 client written from the published spec (wiki.open311.org/
GeoReport_v2 and /Service_Discovery), not from the server's code: the element names, the
formats by suffix, form-encoded POSTs, errors as an array. XML is parsed with defusedxml and
checked against the structure the spec shows; both formats come back as the same Python
shape (XML's text and JSON's values side by side), so one test can run in either."""

from __future__ import annotations

import json
import re

from defusedxml import ElementTree as SafeET

JURISDICTION = "zhaohua.example.org"  # the host of the test BASE_URL
ROOT = "/open311/v2"
CONTENT_TYPES = {"xml": "text/xml", "json": "application/json"}
W3C = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")

# The spec's fields, by document.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}
POSTED_FIELDS = {"service_request_id", "service_notice", "account_id"}
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}


class SpecViolation(AssertionError):
    pass


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SpecViolation(message)


def _leaves(element) -> dict:
    """An element whose children are all text fields: {tag: text}."""
    fields = {}
    for child in element:
        _expect(len(child) == 0, f"<{element.tag}><{child.tag}> should be a text field")
        _expect(child.tag not in fields, f"<{element.tag}> repeats <{child.tag}>")
        fields[child.tag] = child.text or ""
    return fields


def _entries(element, container: str, entry: str) -> list:
    _expect(element.tag == container, f"expected <{container}>, got <{element.tag}>")
    _expect(all(child.tag == entry for child in element),
            f"<{container}> may hold only <{entry}> elements")
    return list(element)


def _attribute(element) -> dict:
    fields = {child.tag: child for child in element}
    values = fields.pop("values", None)
    attribute = {tag: child.text or "" for tag, child in fields.items()}
    if values is not None:
        attribute["values"] = [_leaves(v) for v in _entries(values, "values", "value")]
    return attribute


def read_xml(root) -> object:
    """The spec's XML documents, as the Python shape their JSON form has."""
    tag = root.tag
    if tag == "services":
        return [_leaves(s) for s in _entries(root, "services", "service")]
    if tag == "service_requests":
        return [_leaves(r) for r in _entries(root, "service_requests", "request")]
    if tag == "errors":
        errors = [_leaves(e) for e in _entries(root, "errors", "error")]
        _expect(all(set(e) == {"code", "description"} for e in errors),
                "an <error> holds <code> and <description>")
        return errors
    if tag == "service_definition":
        children = {child.tag: child for child in root}
        _expect(set(children) == {"service_code", "attributes"},
                "<service_definition> holds <service_code> and <attributes>")
        return {"service_code": children["service_code"].text or "",
                "attributes": [_attribute(a) for a in
                               _entries(children["attributes"], "attributes", "attribute")]}
    if tag == "discovery":
        children = {child.tag: child for child in root}
        _expect(set(children) == DISCOVERY_FIELDS, f"<discovery> holds {DISCOVERY_FIELDS}")
        endpoints = []
        for endpoint in _entries(children["endpoints"], "endpoints", "endpoint"):
            parts = {child.tag: child for child in endpoint}
            _expect(set(parts) == ENDPOINT_FIELDS, f"<endpoint> holds {ENDPOINT_FIELDS}")
            found = {t: c.text or "" for t, c in parts.items() if t != "formats"}
            found["formats"] = [f.text or "" for f in
                                _entries(parts["formats"], "formats", "format")]
            endpoints.append(found)
        return {**{t: children[t].text or "" for t in ("changeset", "contact", "key_service")},
                "endpoints": endpoints}
    raise SpecViolation(f"<{tag}> is not a GeoReport v2 document")


def as_text(value):
    """A JSON value as the XML form writes it: text, true/false, empty for null."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Answer:
    def __init__(self, response, fmt: str):
        self.response, self.fmt = response, fmt
        self.status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        _expect(content_type.split(";")[0].strip() == CONTENT_TYPES[fmt],
                f"a .{fmt} resource answers {CONTENT_TYPES[fmt]}, not {content_type!r}")
        _expect("charset=utf-8" in content_type.lower().replace(" ", ""),
                f"UTF-8 must be declared in {content_type!r}")
        text = response.get_data().decode("utf-8")  # the spec: UTF-8 everywhere
        if fmt == "xml":
            _expect(re.match(r'<\?xml version="1\.0" encoding="utf-8"\?>', text, re.I)
                    is not None, "the XML declaration with encoding=\"UTF-8\" comes first")
            root = SafeET.fromstring(text.encode("utf-8"))
            _expect("}" not in root.tag, "the spec's XML has no namespace")
            self.raw, self.body = root, read_xml(root)
        else:
            self.raw = json.loads(text)
            self.body = as_text(self.raw)
        if self.status >= 400:
            _expect(isinstance(self.body, list) and len(self.body) >= 1
                    and all(set(e) == {"code", "description"} and e["description"]
                            for e in self.body),
                    f"an error answers the spec's error array, not {self.body!r}")

    @property
    def error(self) -> str:
        """The first error's code."""
        return self.body[0]["code"]

    def __iter__(self):  # status, body = answer
        return iter((self.status, self.body))


class GeoReportClient:
    """What an Open311 client does: GETs with query arguments, form-encoded POSTs, the format
    as the resource's suffix."""

    def __init__(self, http, fmt: str = "xml", api_key: str | None = None,
                 jurisdiction_id: str | None = JURISDICTION, root: str = ROOT):
        self.http, self.fmt, self.api_key = http, fmt, api_key
        self.jurisdiction_id, self.root = jurisdiction_id, root

    def _params(self, params: dict) -> dict:
        merged = {"jurisdiction_id": self.jurisdiction_id, **params}
        return {k: v for k, v in merged.items() if v is not None}

    def get(self, resource: str, **params) -> Answer:
        """A read; with an api_key the client reads as the key holder (its own reports)."""
        response = self.http.get(f"{self.root}/{resource}.{self.fmt}",
                                 query_string=self._params({"api_key": self.api_key,
                                                            **params}))
        return Answer(response, self.fmt)

    def services(self) -> Answer:
        return self.get("services")

    def service_definition(self, code: str) -> Answer:
        return self.get(f"services/{code}")

    def post_request(self, **fields) -> Answer:
        form = self._params({"api_key": self.api_key, **fields})
        response = self.http.post(f"{self.root}/requests.{self.fmt}", data=form,
                                  content_type="application/x-www-form-urlencoded")
        return Answer(response, self.fmt)

    def requests(self, **params) -> Answer:
        return self.get("requests", **params)

    def request(self, request_id: str, **params) -> Answer:
        return self.get(f"requests/{request_id}", **params)


def discover(http, fmt: str = "xml") -> Answer:
    return Answer(http.get(f"/open311/discovery.{fmt}"), fmt)
