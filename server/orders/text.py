"""Cleaning what residents type: phone numbers, bounded text, tags."""

from __future__ import annotations

import re

from qr import contract

from ..core.errors import ValidationError
from ..core.i18n import _l
from .models import TAG_MAX, TAGS_MAX

PHONE = re.compile(contract.PHONE_PATTERN)  # the kiosk checks the same (qr.contract)

FIELD_LABELS = {
    "name": _l("Name"),
    "description": _l("Description"),
    "place": _l("Place or address"),
    "note": _l("Note"),
    "comment": _l("Comment"),
    "reason": _l("Reason"),
}


def clean_phone(value) -> str:
    phone = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE.fullmatch(phone):
        raise ValidationError(_l("Please enter an 11-digit mobile number starting with 1."),
                              "invalid_phone", field="phone")
    return phone


def clean_text(value, field: str, limit: int, *, required: bool = False) -> str:
    label = FIELD_LABELS.get(field, field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_l("%(field)s must be text.", field=label), "invalid_type",
                              field=field)
    value = value.strip()
    if required and not value:
        raise ValidationError(_l("%(field)s is required.", field=label), "required", field=field)
    if len(value) > limit:
        raise ValidationError(
            _l("%(field)s is too long (at most %(n)d characters).", field=label, n=limit),
            "too_long", field=field)
    return value


def clean_tags(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[,，、]", value)]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValidationError(_l("Tags must be a list of words."), "invalid_tags", field="tags")
    tags = list(dict.fromkeys(t.strip() for t in value if t.strip()))
    if len(tags) > TAGS_MAX or any(len(t) > TAG_MAX for t in tags):
        raise ValidationError(_l("At most %(n)d short tags.", n=TAGS_MAX), "too_many_tags",
                              field="tags")
    return tags
