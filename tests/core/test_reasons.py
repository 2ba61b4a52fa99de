"""One reason rule for every operation that asks why: codes, devices, shifts, ledger, volunteers."""

from __future__ import annotations

import pytest

from server.core.errors import ValidationError
from server.core.fields import REASON_MAX, clean_reason


def test_a_reason_is_one_trimmed_line():
    assert clean_reason("  卡片\n 丢失\t了 ") == "卡片 丢失 了"


@pytest.mark.parametrize("value", [None, "", "   \n", 42, ["丢失"]])
def test_no_reason_is_reason_required_in_the_actions_words(value):
    with pytest.raises(ValidationError) as refused:
        clean_reason(value, "Say why the kiosk is revoked.")
    assert refused.value.code == "reason_required" and refused.value.field == "reason"
    assert str(refused.value.message) == "Say why the kiosk is revoked."


def test_too_long_and_unshowable_reasons_are_refused():
    assert clean_reason("长" * REASON_MAX) == "长" * REASON_MAX
    with pytest.raises(ValidationError) as refused:
        clean_reason("长" * (REASON_MAX + 1))
    assert refused.value.code == "too_long"
    with pytest.raises(ValidationError) as refused:
        clean_reason("丢失", limit=1)
    assert refused.value.code == "too_long"
    with pytest.raises(ValidationError) as refused:
        clean_reason("丢\x00失")
    assert refused.value.code == "invalid_text"


@pytest.mark.parametrize("operation", [
    "server.codes.operations:revoke", "server.devices.operations:revoke",
    "server.volunteers.operations:reissue_code"])
def test_the_operations_that_ask_why_refuse_without_a_reason_before_touching_anything(operation):
    import importlib

    module, name = operation.split(":")
    with pytest.raises(ValidationError) as refused:
        getattr(importlib.import_module(module), name)(object(), " ")
    assert refused.value.code == "reason_required"
