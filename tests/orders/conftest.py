"""Fixtures for order tests: teams with members, a menu, a resident's order, phone logins."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token_in


@pytest.fixture
def teams(db, network):
    """The general team, and a branch team at the east institute with a leader and a member."""
    from server.volunteers import operations as vols
    from server.volunteers import teams as team_ops

    general = team_ops.create_team("测试区志愿服务总队", network["center"], is_general=True)
    db.session.flush()
    branch = team_ops.create_team("东镇助老志愿服务队", network["east"])
    leader = vols.create_volunteer(name="王队长", phone="13900000001", site=network["east"])
    member = vols.create_volunteer(name="李志愿", phone="13900000002",
                                   site=network["east_station"])
    outsider = vols.create_volunteer(name="赵西村", phone="13900000003",
                                     site=network["west_station"])
    team_ops.add_member(branch, leader)
    team_ops.add_member(branch, member)
    team_ops.set_leader(branch, leader)
    db.session.commit()
    return {"general": general, "branch": branch, "leader": leader, "member": member,
            "outsider": outsider}


@pytest.fixture
def menu(db, network, teams):
    from server.orders.menu import create_item

    items = {
        "care": create_item(site=network["east"], name="助老陪护", content_area="培育践行主流价值",
                            brand="情暖万家", team=teams["branch"], expected_minutes=60),
        "film": create_item(site=network["center"], name="电影放映",
                            content_area="丰富活跃文化生活", brand="文润天府",
                            expected_minutes=120),
        "west": create_item(site=network["west"], name="法律咨询",
                            content_area="培育践行主流价值", brand="德耀巴蜀"),
    }
    db.session.commit()
    return items


@pytest.fixture
def place(db, network, menu):
    """place(item="care", site="library", phone=...) -> Order, committed (through operations)."""
    from server.orders import operations as ops

    counter = iter(range(10, 10_000))

    def do(item="care", site="library", phone=None, **fields):
        order = ops.place_order(site=network[site], item=menu[item],
                                phone=phone or f"1380000{next(counter):04d}", **fields)
        db.session.commit()
        return order

    return do


def form_token(client, url: str) -> str:
    return csrf_token_in(client.get(url).get_data(as_text=True))


@pytest.fixture
def phone_login(app, db):
    """phone_login(client, volunteer): log a phone in through a one-time link, as a volunteer
    would. Returns a CSRF token for that client's forms."""
    from server.volunteers.logins import issue_login_link

    def login(client, volunteer):
        _, token = issue_login_link(db.session.merge(volunteer))
        db.session.commit()
        page = client.get(f"/v/link/{token}").get_data(as_text=True)
        response = client.post(f"/v/link/{token}", data={"csrf_token": csrf_token_in(page)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return csrf_token_in(client.get("/v/orders").get_data(as_text=True))

    return login


def receipt_path(location: str) -> str:
    found = re.search(r"(/r/[^/?#]+)", location)
    assert found, location
    return found.group(1)


from tests.codes.conftest import coded  # noqa: E402, F401  (live point codes)
from tests.devices.fixtures import enroll_kiosk  # noqa: E402, F401  (a kiosk through the real API)
