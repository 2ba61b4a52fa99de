"""The Friday activity day across a subtree, run twice; monthly themes, nearest unit first."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import func, select

from tests.fixtures.activities import form_token


def _count(db, **where):
    from server.activities.models import Activity

    db.session.rollback()
    query = select(func.count()).select_from(Activity)
    for name, value in where.items():
        query = query.where(getattr(Activity, name) == value)
    return db.session.scalar(query)


def test_every_friday_at_every_station_of_the_subtree_once(db, create_site, network):
    from server.activities import operations as ops
    from server.activities.models import Activity
    from server.core.timeutil import LOCAL_TZ

    second = create_site("station", "东二村新时代文明实践站", network["east"])
    month = date(2026, 3, 1)  # five Fridays: the 6th, 13th, 20th and 27th … and no 5th one
    fridays = ops.fridays(month)
    assert [d.day for d in fridays] == [6, 13, 20, 27]

    def run():
        result = ops.friday_days(network["east"], month, title="集中活动日", brand="理响巴蜀",
                                 content_area="宣传宣讲党的政策", starts=time(9),
                                 ends=time(11, 30), capacity=30, actor="test")
        db.session.commit()
        return result

    assert run() == (8, 0)  # two stations of 东镇 × four Fridays
    assert run() == (0, 8)  # the second run adds nothing
    rows = db.session.scalars(select(Activity).order_by(Activity.starts_at)).all()
    assert {r.site_id for r in rows} == {network["east_station"].id, second.id}
    assert network["west_station"].id not in {r.site_id for r in rows}
    first = rows[0].starts_at.astimezone(LOCAL_TZ) if rows[0].starts_at.tzinfo else \
        rows[0].starts_at.replace(tzinfo=__import__("datetime").UTC).astimezone(LOCAL_TZ)
    assert (first.weekday(), first.hour, first.minute) == (4, 9, 0)
    assert all(r.capacity == 30 and r.series.startswith("friday:2026-03-") for r in rows)

    # The whole district: the east's eight stay, the west's station gets its four.
    assert ops.friday_days(network["center"], month, title="集中活动日", brand="理响巴蜀",
                           content_area="宣传宣讲党的政策", actor="test") == (4, 8)


def test_the_friday_page_and_the_command_line(client, db, network, admin_session, runner):
    admin, _ = admin_session("institute_admin", network["east"])
    token = form_token(client, "/admin/activities/friday")
    answer = client.post("/admin/activities/friday", data={
        "csrf_token": token, "site_id": network["east"].id, "month": "2026-05",
        "title": "集中活动日", "brand": "文润天府", "content_area": "丰富活跃文化生活",
        "starts": "09:00", "ends": "11:00"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert _count(db) == 5  # 东村's station, five Fridays of May 2026
    outside = client.post("/admin/activities/friday", data={
        "csrf_token": token, "site_id": network["west"].id, "month": "2026-05",
        "title": "x", "brand": "文润天府", "content_area": "丰富活跃文化生活",
        "starts": "09:00", "ends": "11:00"})
    assert outside.status_code == 404
    bad = client.post("/admin/activities/friday", data={
        "csrf_token": token, "site_id": network["east"].id, "month": "2026-13",
        "title": "x", "brand": "文润天府", "content_area": "丰富活跃文化生活",
        "starts": "09:00", "ends": "11:00"})
    assert bad.status_code == 400 and "2026-03" in bad.get_data(as_text=True)

    result = runner.invoke(args=["activities", "friday", "--site", str(network["center"].id),
                                 "--month", "2026-05", "--title", "集中活动日",
                                 "--brand", "文润天府", "--area", "丰富活跃文化生活"])
    assert result.exit_code == 0, result.output
    assert "5 activities added, 5 already there" in result.output


def test_the_nearest_units_theme_wins_and_reaches_activities(db, network, make_activity):
    from server.activities import operations as ops
    from server.core.fields import this_month
    from server.core.timeutil import utcnow

    month = this_month(utcnow())
    activity = make_activity(site=network["east_station"])
    assert activity.theme_id is None
    district = ops.set_theme(network["center"], month, "学雷锋 志愿行", actor="test")
    db.session.commit()
    db.session.refresh(activity)
    if ops.local_month(activity.starts_at) == month:
        assert activity.theme_id == district.id  # set later, it reaches the unthemed
    town = ops.set_theme(network["east"], month, "院坝说事月", actor="test")
    db.session.commit()
    assert ops.theme_for(network["east_station"], month).id == town.id
    assert ops.theme_for(network["west_station"], month).id == district.id
    assert ops.theme_for(network["library"], month).id == town.id  # a point under 东村
    again = ops.set_theme(network["east"], month, "院坝说事月（改）", actor="test")
    assert again.id == town.id and again.title == "院坝说事月（改）"
