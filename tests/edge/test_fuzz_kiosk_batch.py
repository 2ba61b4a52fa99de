"""Hypothesis against the kiosk batch body: whatever the actions hold, the batch is answered
200 with one answer per action, each a 2xx or a 4xx refusal, never a 5xx, on both backends."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KINDS = ["sign", "order", "complete", "rate", "redeem", "x", "sig\x00n", ""]
TIMES = ["2026-03-06T09:00:00+08:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
         "2026-03-06T09:00:00", "yesterday", "", None, 5]
FIELDS = ["code", "item_id", "phone", "place", "note", "preferred_at", "stars", "tags",
          "comment", "quantity", "direction"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
           | st.sampled_from(["\x00", "\ud800", "13800000001", "in", "out",
                              "9999-12-31T23:59:59-14:00"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=5) | values
_keys = itertools.count()


@st.composite
def actions(draw):
    key = draw(st.sampled_from(["", "\x00", "k" * 65]) | st.just(None)) \
        if draw(st.integers(0, 9)) == 0 else f"f{next(_keys)}"
    return {"key": key, "kind": draw(st.sampled_from(KINDS)),
            "client_time": draw(st.sampled_from(TIMES)), "body": draw(bodies)}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(actions(), min_size=1, max_size=6))
def test_any_batch_is_answered_action_by_action(enroll_kiosk, menu, batch, request):
    kiosk = request.node.__dict__.setdefault("kiosk", None) or enroll_kiosk()
    request.node.kiosk = kiosk
    response = kiosk.upload(batch)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answers = response.get_json()["answers"]
    assert len(answers) == len(batch)
    for answer in answers:
        assert 200 <= answer["status"] < 500, answer
