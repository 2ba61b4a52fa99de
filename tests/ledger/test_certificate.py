"""The 志愿服务记录证明 as a reader sees it: places, periods, hours with their unit, and a
verification address that can be typed from the paper."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from server.ledger import operations as ledger

LONG_BASE = "https://wenming-service-platform.zhaohua-district.guangyuan.sichuan.example.gov.cn"


def _text(pdf: bytes, *args: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: apt-get install poppler-utils")
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, check=True,
                          capture_output=True).stdout.decode()


@pytest.fixture
def served(db, network, make_shift):
    """A volunteer with a shift at the library and a service order done at the east station."""
    from server.orders import dispatch
    from server.orders import operations as orders
    from server.orders.menu import create_item
    from server.volunteers import operations as volunteers

    person = volunteers.create_volunteer(name="李秀英", phone="13812345678",
                                         site=network["library"])
    db.session.commit()
    ledger.credit_shift(make_shift(person, 150, days_ago=40))
    item = create_item(site=network["east"], name="助老陪护", content_area="培育践行主流价值",
                       brand="情暖万家", expected_minutes=90)
    order = orders.place_order(site=network["east_station"], item=item, phone="13900001111")
    dispatch.dispatch(order, volunteer=person, actor="test")
    orders.accept(order, person)
    orders.complete(order, via="code_phone", volunteer=person)
    orders.rate(order, stars=4, comment="很耐心")
    db.session.commit()
    return person, order


def _certificate(phone_signed_in, client, person) -> tuple[bytes, str]:
    phone_signed_in(person)
    response = client.get("/v/points/certificate.pdf")
    assert response.status_code == 200
    return response.data, response.headers["Content-Disposition"].split('"')[1][:-4]


def test_records_name_the_place_and_every_hours_figure_has_its_unit(client, phone_signed_in,
                                                                   served, network):
    person, order = served
    pdf, _number = _certificate(phone_signed_in, client, person)
    text = _text(pdf, "-layout")
    assert order.number not in text  # an order number is no place
    records = text[text.index("服务记录\n"):text.index("服务评价")]
    assert re.search(r"服务订单：助老陪护\s+" + network["east_station"].name + r"\s+1\.5 小时",
                     records), records
    assert network["library"].name in records
    assert not re.search(r"\d+\.\d(?! 小时)", text), "an hours figure without its unit"


def test_years_and_months_are_tables_of_their_own(app, client, phone_signed_in, served):
    person, _order = served
    text = _text(_certificate(phone_signed_in, client, person)[0], "-layout")
    periods = text[text.index("分时段服务时长"):text.index("服务记录\n")]
    header = [line for line in periods.splitlines() if "年份" in line or "月份" in line]
    # Side by side, one header each: no month header row under the years.
    assert len(header) == 1 and re.search(r"年份\s+服务时长\s+月份\s+服务时长", header[0])
    assert len(re.findall(r"\b20\d\d-\d\d\s+\d+\.\d 小时", periods)) >= 1


@pytest.mark.app_config({"BASE_URL": LONG_BASE})
def test_the_verification_address_breaks_only_between_its_parts(client, phone_signed_in, served):
    person, _order = served
    pdf, number = _certificate(phone_signed_in, client, person)
    lines = [line.strip() for line in _text(pdf).splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("https://"))
    end = next(i for i in range(start, len(lines)) if lines[i].endswith(number))
    parts = lines[start:end + 1]
    assert "".join(parts) == f"{LONG_BASE}/v/certificate/{number}"
    assert len(parts) > 1 and all(part.endswith("/") for part in parts[:-1]), parts
    assert parts[-1].endswith(number) and parts[0].startswith(LONG_BASE)
    assert client.get(f"/v/certificate/{number}").status_code == 200
