"""Hypothesis against the dashboard's edit forms (a service-menu line, a reward, a team):
whatever the fields hold — any text, control characters, huge numbers, missing or repeated
fields — the answer is a page, a refusal or a redirect, never a 5xx (that a refusal writes
nothing is checked field by field in each feature's tests)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.conftest import PASSWORD

values = (st.text(max_size=80) | st.text(max_size=3000)
          | st.integers(min_value=-2**80, max_value=2**80).map(str)
          | st.sampled_from(["", " ", "\x00", "\x7f", "\u202e", "１２", "60.5", "1e9", "-0",
                             "NaN", "培育践行主流价值", "情暖万家", "goods", "0", "1440"]))
FIELDS = {
    "menu": ["name", "description", "content_area", "brand", "team_id", "expected_minutes"],
    "catalog": ["name", "kind", "description", "cost_points", "stock"],
    "team": ["name", "description", "site_id"],
}


@pytest.fixture
def forms(db, network, menu, teams, create_admin, client):
    from server.ledger.models import Item

    reward = Item(site_id=network["east_station"].id, name="大米", cost_points=5, stock=3)
    db.session.add(reward)
    db.session.commit()
    admin = create_admin("district_admin", network["center"], "district")
    assert client.post("/login", data={"username": admin.username, "password": PASSWORD}
                       ).status_code == 302
    return {"menu": f"/admin/orders/menu/{menu['care'].id}/edit",
            "catalog": f"/admin/ledger/items/{reward.id}/edit",
            "team": f"/admin/teams/{teams['branch'].id}/edit"}


@pytest.mark.app_config({"WTF_CSRF_ENABLED": False})
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_any_edit_form_post_is_answered_without_a_5xx(forms, client, which, data):
    fields = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS[which]), values), max_size=8))
    response = client.post(forms[which], data=MultiDict(fields))
    assert response.status_code < 500, response.get_data(as_text=True)[:400]
    assert response.status_code in (200, 302, 400, 404, 409), response.status_code
