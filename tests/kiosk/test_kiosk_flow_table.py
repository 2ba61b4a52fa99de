"""The touchscreen's steps and moves are one table (kiosk/flows.py FLOW), served in the page and
followed by flows.js: the table is whole, matches the page's steps, and the script has none of
its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kiosk import flows
from kiosk.core import Kiosk
from kiosk.flows import FLOW, IDLE, SCANNED, can_move, flow_table
from kiosk.ui import create_ui

KIOSK = Path(flows.__file__).resolve().parent
TEMPLATE = (KIOSK / "templates" / "kiosk.html").read_text(encoding="utf-8")
SCRIPT = (KIOSK / "static" / "flows.js").read_text(encoding="utf-8")


def test_the_table_is_whole():
    for name, step in FLOW.items():
        assert set(step["next"]) <= set(FLOW) - {IDLE}, name
        assert name == IDLE or step["wait"] in flow_table()["seconds"], name
    assert set(SCANNED.values()) <= set(FLOW)
    # Every step can be reached from the start screen, by touches or by a code held up.
    reached, todo = {IDLE}, [IDLE, *SCANNED.values()]
    while todo:
        name = todo.pop()
        reached.add(name)
        todo += [n for n in FLOW[name]["next"] if n not in reached]
    assert reached == set(FLOW)


def test_the_pages_steps_are_the_tables():
    steps = set(re.findall(r'<div id="(f-[a-z-]+)"[^>]*class="step', TEMPLATE))
    assert steps == set(FLOW) - {IDLE}


def test_the_script_opens_only_steps_of_the_table_and_keeps_no_list_of_its_own():
    opened = set(re.findall(r'open\("(f-[a-z-]+)"', SCRIPT))
    assert opened and opened <= set(FLOW)
    assert opened == set(FLOW) - {IDLE}  # and every step is opened somewhere
    assert '"f-menu", "f-phone"' not in SCRIPT and "ASK_SECONDS" not in SCRIPT
    assert 'JSON.parse($("flow").textContent)' in SCRIPT


def test_moves():
    assert can_move(IDLE, "f-menu") and can_move("f-menu", "f-phone")
    assert not can_move(IDLE, "f-receipt")  # a receipt only after an order was confirmed
    assert not can_move("f-phone", "f-redeem-result")
    assert all(can_move(name, IDLE) for name in FLOW)
    assert can_move("f-phone", "f-choice", scanned=True)  # an order code held up mid-order
    assert not can_move("f-phone", "f-choice")


def test_the_page_serves_the_table(tmp_path):
    kiosk = Kiosk("http://127.0.0.1:9", tmp_path)
    try:
        page = create_ui(kiosk).test_client().get("/").get_data(as_text=True)
    finally:
        kiosk.store.close()
    served = re.search(r'<script id="flow" type="application/json">(.*?)</script>', page).group(1)
    assert json.loads(served) == json.loads(json.dumps(flow_table()))
