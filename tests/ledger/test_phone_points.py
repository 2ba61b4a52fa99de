"""/v/points on the phone: hours with their unit, no −0, and what the balance cannot buy yet is
marked in words as well as grey."""

from __future__ import annotations

import re

from server.ledger import catalog
from tests.pages import visible


def _item(page: str, name: str) -> str:
    """The <li> of the catalog item with this name."""
    at = page.index(name)
    return page[page.rindex("<li", 0, at):page.index("</li>", at)]


def test_points_page_reads_right(app, client, db, person, phone_signed_in, make_shift,
                                 make_item):
    from server.ledger import operations as ops

    ops.credit_shift(make_shift(person, 150, days_ago=40))  # 25 points, a month with no spending
    catalog.redeem(person, make_item(cost=4, name="洗衣液"), 1, actor="test")
    make_item(cost=60, name="电影票")
    make_item(cost=30, name="大米")
    db.session.commit()
    phone_signed_in(person)
    page = client.get("/v/points").get_data(as_text=True)
    text = re.sub(r"\s+", " ", visible(page))
    assert "已记服务时长：2.5 小时" in text
    months = page[page.index("ledger-months"):page.index("</table>")]
    assert "−0" not in months and "+0" not in months
    assert re.search(r"2\.5 小时", visible(months))
    assert not re.search(r"<td[^>]*>\s*\d+\.\d\s*</td>", months)  # no bare hours
    balance = 10 + 25 - 4
    films, rice = _item(page, "电影票"), _item(page, "大米")
    assert 'class="unaffordable"' in films and f"还差 {60 - balance} 积分" in visible(films)
    assert "unaffordable" not in rice and "还差" not in rice
    assert '<span class="cost">60 积分</span>' in page
    statement = visible(client.get("/v/points/statement").get_data(as_text=True))
    assert "服务时长 · 2.5 小时" in statement
