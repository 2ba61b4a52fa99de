"""/v/shifts: each shift's facts joined without stray separators, and totals with their unit."""

from __future__ import annotations

import re
from datetime import timedelta

from server.core.timeutil import LOCAL_TZ, utcnow
from server.shifts.models import Shift
from tests.fixtures.devices import phone_login
from tests.pages import visible


def test_my_shifts_show_totals_and_no_dangling_separator(client, db, network, create_volunteer):
    volunteer, _ = create_volunteer()
    now = utcnow()
    month = now.astimezone(LOCAL_TZ).strftime("%Y-%m")
    this_month = 0
    for minutes, review, days_ago in ((90, "none", 0), (60, "approved", 1), (30, "pending", 2),
                                      (45, "rejected", 3), (120, "none", 400)):
        start = now - timedelta(days=days_ago, minutes=minutes + 5)
        db.session.add(Shift(volunteer_id=volunteer.id, site_id=network["library"].id,
                             started_at=start, ended_at=start + timedelta(minutes=minutes),
                             start_method="kiosk", is_verified=True, review=review,
                             credited_minutes=minutes,
                             review_reason="不在岗" if review == "rejected" else ""))
        if review in ("none", "approved") and start.astimezone(LOCAL_TZ).strftime("%Y-%m") == month:
            this_month += minutes
    db.session.add(Shift(volunteer_id=volunteer.id, site_id=network["east_station"].id,
                         started_at=now - timedelta(minutes=1), start_method="kiosk",
                         is_verified=True))  # open: counts nothing yet
    db.session.commit()
    phone_login(client, volunteer)
    text = visible(client.get("/v/shifts/").get_data(as_text=True))
    assert not re.search(r"·\s*(·|$)", text, re.M), "a separator with nothing after it"
    assert "60 分钟 · 已批准" in text and "30 分钟 · 等待审核" in text
    assert "45 分钟 · 未通过：不在岗" in text and re.search(r"90 分钟\s*\n", text)
    totals = re.sub(r"\s+", " ", text)
    assert "累计已计入 4.5 小时" in totals  # 90 + 60 + 120: neither pending nor rejected
    assert "待审核 0.5 小时" in totals
    assert f"本月已计入 {this_month / 60:.1f} 小时" in totals
