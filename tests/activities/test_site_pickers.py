"""The activity, Friday and theme forms choose their site with the picker, over the admin's
subtree (units only where the form takes units); a site elsewhere or of the wrong kind is
refused with the form's own message, never a 5xx."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.fixtures.activities import form_token
from tests.pages import site_picker_options, site_picker_search, visible
from tests.site_pickers import NO_SUCH_SITE, check_unit_picker

ADMINS = [("station_admin", "east_station"), ("institute_admin", "east")]
ELSEWHERE = "西村新时代文明实践站"


def _rows(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _post(client, url, token, **fields):
    answer = client.post(url, data={"csrf_token": token, **fields})
    assert answer.status_code < 500, answer.status_code
    return answer


@pytest.mark.parametrize(("role", "home"), ADMINS)
def test_activity_form_picks_any_site_of_the_subtree(client, db, network, admin_session,
                                                     role, home):
    from server.activities.models import Activity

    admin_session(role, network[home])
    page = client.get("/admin/activities/new").get_data(as_text=True)
    offered = site_picker_options(page, "site_id")
    assert "东村图书室" in offered and "东村新时代文明实践站" in offered
    assert ELSEWHERE not in offered and ("东镇新时代文明实践所" in offered) == (home == "east")
    assert "kind=" not in site_picker_search(page, "site_id")  # any kind may hold an activity
    token = form_token(client, "/admin/activities/new")
    activity = {"title": "读书会", "brand": "文润天府", "content_area": "丰富活跃文化生活",
                "starts_at": "2030-05-03T09:00", "ends_at": "2030-05-03T11:00"}

    made = _post(client, "/admin/activities/new", token, site_id=network["library"].id,
                 **activity)
    assert made.status_code == 302
    assert _rows(db, Activity) == 1
    for value in (network["west_station"].id, 999_999):
        refused = _post(client, "/admin/activities/new", token, site_id=value, **activity)
        assert refused.status_code == 404 and NO_SUCH_SITE in visible(refused.get_data(
            as_text=True))
    refused = _post(client, "/admin/activities/new", token, site_id="", **activity)
    assert refused.status_code == 400 and "请选择站点。" in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert _rows(db, Activity) == 1


FRIDAY = {"month": "2030-05", "title": "集中活动日", "brand": "文润天府",
          "content_area": "丰富活跃文化生活", "starts": "09:00", "ends": "11:00"}
THEME = {"month": "2030-05", "title": "邻里守望", "description": ""}


@pytest.mark.parametrize(("role", "home"), ADMINS)
@pytest.mark.parametrize(("url", "fields", "table"), [
    ("/admin/activities/friday", FRIDAY, "Activity"),
    ("/admin/activities/themes", THEME, "MonthlyTheme")])
def test_friday_and_theme_forms_pick_a_unit(client, db, network, admin_session, create_site,
                                            role, home, url, fields, table):
    from server.activities import models

    west_point = create_site("point", "西村书屋", network["west_station"])
    admin_session(role, network[home])
    made = check_unit_picker(client, url, fields, network, west_point)
    assert made.status_code == 302
    assert _rows(db, getattr(models, table)) >= 1
