"""Every phone page a resident or volunteer reaches, in the standard and the elder version (长辈版),
measured in the real browser at 390×844 against the MIIT 适老化 rules: text size, the largest
text, line height, paragraph spacing, touch targets, and contrast (axe-core's color-contrast rule
and our own ratio check, 3:1 for large text and 4.5:1 for the rest). The test lists every
violation and prints the table page × rule × mode with the minimum found."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.forgery import tampered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
TABLE = Path(__file__).resolve().parents[2] / "test-artifacts" / "elder-mode-table.md"

# rule -> (standard, elder): the threshold each mode must reach (None: measured, not a rule).
RULES = {
    "text px": (16, 24),          # main text: elder ≥ 18 pt = 24 px
    "largest px": (None, 40),     # the largest text: elder ≥ 30 pt = 40 px
    "line height": (None, 1.3),   # line height ÷ font size
    "paragraph": (None, 1.3),     # baseline to baseline across a paragraph break ÷ line height
    "target px": (44, 60),        # the shorter side of every link, button and field
    "contrast": (1, 1),           # our own ratio ÷ the ratio required (3:1 large, 4.5:1 other)
    "axe contrast": (0, 0),       # axe-core color-contrast nodes (a maximum, not a minimum)
    "sideways px": (0, 0),        # how far the page is wider than the phone (a maximum)
}
MAXIMA = ("axe contrast", "sideways px")

MEASURE = r"""() => {
  const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width >= 2 && r.height >= 2 && s.visibility !== 'hidden' && s.opacity !== '0'; };
  const label = el => el.tagName + (el.id ? '#' + el.id : '') + ':' +
    (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 24);
  const rgba = c => { const m = c.match(/[\d.]+/g).map(Number);
    return m.length > 3 ? m : [...m, 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= .03928 ? v / 12.92 :
    Math.pow((v + .055) / 1.055, 2.4); }; return .2126 * f(r) + .7152 * f(g) + .0722 * f(b); };
  const background = el => {
    let layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none') return null;   // a picture behind: axe judges it
      const c = rgba(s.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return out;
  };
  const texts = [...document.body.querySelectorAll('*')].filter(el =>
    !['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(el.tagName) && shown(el) &&
    [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const fonts = [], heights = [], contrast = [];
  for (const el of texts) {
    const s = getComputedStyle(el); const size = parseFloat(s.fontSize);
    fonts.push([size, label(el)]);
    const lh = s.lineHeight === 'normal' ? 0 : parseFloat(s.lineHeight);
    heights.push([lh / size, label(el)]);
    const bg = background(el);
    if (bg) {
      const fg = rgba(s.color);
      const mixed = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
      const [a, b] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + .05) / (b + .05);
      const large = size >= 24 || (parseInt(s.fontWeight) >= 700 && size >= 18.66);
      contrast.push([ratio / (large ? 3 : 4.5),
                     label(el) + ' ' + ratio.toFixed(2) + (large ? ' large' : '')]);
    }
  }
  const paragraphs = [];
  for (const el of document.body.querySelectorAll('p, li, blockquote')) {
    const next = el.nextElementSibling;
    if (!next || next.tagName !== el.tagName || !shown(el) || !shown(next)) continue;
    const a = getComputedStyle(el), b = getComputedStyle(next);
    const lh = parseFloat(a.lineHeight) || parseFloat(a.fontSize) * 1.2;
    // from the last line of one to the first of the next: content boxes, padding excluded
    const gap = next.getBoundingClientRect().top + parseFloat(b.paddingTop) +
      parseFloat(b.borderTopWidth) - (el.getBoundingClientRect().bottom -
      parseFloat(a.paddingBottom) - parseFloat(a.borderBottomWidth));
    paragraphs.push([(gap + lh) / lh, label(el)]);
  }
  const targets = [];
  for (let el of document.body.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (['radio', 'checkbox'].includes(el.type) && el.closest('label')) el = el.closest('label');
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    targets.push([Math.min(r.width, r.height), label(el)]);
  }
  const wide = [...document.body.querySelectorAll('*')].filter(el => shown(el) &&
    el.getBoundingClientRect().right > 391).map(label).slice(0, 8);
  return {fonts, heights, paragraphs, targets, contrast, wide,
          // a phone's browser widens its layout to fit what overflows: compare with the screen
          sideways: Math.max(0, document.documentElement.scrollWidth - screen.width)};
}"""


def _setup(app) -> dict:
    """The library's poster, a volunteer with history and a login link, two orders (one
    waiting, one completed), a resident's activity place, a room booking, an approved model."""
    from server.activities import signups
    from server.activities.models import Activity
    from server.codes.operations import code_url, point_code
    from server.core.db import writing
    from server.core.timeutil import utcnow
    from server.extensions import db
    from server.honors.models import Honoree
    from server.ledger import operations as ledger
    from server.ledger.models import Item
    from server.orders import dispatch
    from server.orders import operations as orders
    from server.orders.models import ServiceItem
    from server.rooms.models import Room
    from server.shifts.models import Shift
    from server.sites.models import Site
    from server.volunteers import operations as vols

    def path(url: str) -> str:
        return urlsplit(url).path

    with app.app_context(), writing():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        volunteer = vols.create_volunteer(name="刘春梅", phone="13911112222", site=library)
        start = utcnow() - timedelta(days=2)
        shift = Shift(volunteer_id=volunteer.id, site_id=library.id, started_at=start,
                      ended_at=start + timedelta(minutes=80), start_method="kiosk",
                      is_verified=True, credited_minutes=80)
        db.session.add(shift)
        db.session.flush()
        ledger.credit_shift(shift)
        db.session.add_all([Item(site_id=library.id, name="爱心超市 食用油 1L", cost_points=10),
                            Item(site_id=library.id, name="电影票两张", cost_points=600)])
        item = db.session.scalar(select(ServiceItem).where(ServiceItem.name == "阅读推广进村"))
        waiting = orders.place_order(site=library, item=item, phone="13812345678")
        done = orders.place_order(site=library, item=item, phone="13812345677")
        dispatch.dispatch(done, volunteer=volunteer, actor="test")
        orders.accept(done, volunteer)
        orders.start(done, volunteer)
        served = orders.place_order(site=library, item=item, phone="13812345676")
        dispatch.dispatch(served, volunteer=volunteer, actor="test")
        orders.accept(served, volunteer)
        orders.start(served, volunteer)
        served_code = path(code_url(orders.order_code(served)))
        orders.complete(done, via="resident")
        activity = db.session.scalar(select(Activity).where(
            Activity.site_id == library.id, Activity.starts_at > utcnow(),
            Activity.is_public.is_(True)).order_by(Activity.starts_at))
        place = signups.sign_up(activity, phone="13908129999", name="刘奶奶")
        honoree = db.session.scalar(select(Honoree).where(Honoree.status == "approved"))
        room = db.session.scalar(select(Room).join(Site, Site.id == Room.site_id)
                                 .where(Site.name == "书画室"))
        poster = path(code_url(point_code(library)))
        db.session.commit()
        return {
            "resident": {
                "landing": poster,
                "short code": "/s/",
                "forged code": tampered(poster),
                "order form": f"/orders/new/{library.id}",
                "receipt waiting": f"/r/{orders.receipt_token(waiting)}",
                "receipt to rate": f"/r/{orders.receipt_token(done)}",
                "receipt forged": "/r/not-a-receipt",
                "activity": f"/activities/{activity.id}",
                "activities here": f"/activities/at/{library.id}",
                "registration": f"/activities/r/{signups.signup_token(place)}",
                "model": f"/honors/{honoree.id}",
                "room": f"/rooms/{room.id}/book",
                "certificate check": "/v/certificate/ZM-000000-0000",
                "welcome": "/v/welcome",
                "login": "/v/login",
            },
            "volunteer_id": volunteer.id,
            "volunteer": {
                "home": "/v/",
                "tasks": "/v/orders",
                "order code": served_code,
                "my shifts": "/v/shifts/",
                "shift result": f"/v/shifts/result/{shift.id}",
                "points": "/v/points",
                "statement": "/v/points/statement",
                "my activities": "/v/activities",
                "password": "/v/password",
                "presence confirm": "/P/1-2-garbage",
            },
        }


def _login_token(app, volunteer_id: int) -> str:
    from server.core.db import writing
    from server.extensions import db
    from server.volunteers.logins import issue_login_link
    from server.volunteers.models import Volunteer

    with app.app_context(), writing():
        _, token = issue_login_link(db.session.get(Volunteer, volunteer_id))
        db.session.commit()
        return token


def _passes(rule: str, mode: str, value) -> bool:
    limit = RULES[rule][mode == "elder"]
    if limit is None or value is None:
        return True
    return value <= limit if rule in MAXIMA else value >= limit - 1e-6


def _measure(page, axe: str) -> tuple[dict, dict, list, dict]:
    """(the minimum of each rule, the element holding it, serious axe findings, raw rows)."""
    data = page.evaluate(MEASURE)
    page.add_script_tag(content=axe)
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in report["violations"] if v["impact"] in ("serious", "critical")]
    contrast_nodes = [n["target"] for v in report["violations"] if v["id"] == "color-contrast"
                      for n in v["nodes"]]
    values, where = {}, {}
    for rule, key in (("text px", "fonts"), ("line height", "heights"),
                      ("paragraph", "paragraphs"), ("target px", "targets"),
                      ("contrast", "contrast")):
        if data[key]:
            values[rule], where[rule] = min(data[key], key=lambda row: row[0])
        else:
            values[rule], where[rule] = None, ""
    values["largest px"], where["largest px"] = max(data["fonts"], key=lambda row: row[0])
    values["axe contrast"], where["axe contrast"] = len(contrast_nodes), str(contrast_nodes[:3])
    values["sideways px"], where["sideways px"] = data["sideways"], str(data["wide"])
    return values, where, serious, data


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if isinstance(value, int) or value >= 10 else f"{value:.2f}"


SHOTS = ("landing", "order form", "receipt to rate", "activity", "tasks", "shift result", "points")


def test_every_phone_page_in_both_modes(app, live_server, browser, shot, axe_source):
    pages = _setup(app)
    table: dict[tuple[str, str, str], tuple[bool, object]] = {}
    violations: list[str] = []
    for mode in ("standard", "elder"):
        context = browser.new_context(**PHONE)
        if mode == "elder":
            context.add_cookies([{"name": "elder", "value": "1", "url": live_server}])
        page = context.new_page()
        for audience, paths in (("resident", pages["resident"]), ("volunteer", pages["volunteer"])):
            if audience == "volunteer":
                paths = {"login link": f"/v/link/{_login_token(app, pages['volunteer_id'])}",
                         **paths}
            for name, path in paths.items():
                page.goto(live_server + path)
                assert page.evaluate("document.documentElement.classList.contains('elder')") \
                    == (mode == "elder"), (mode, name)
                if name in SHOTS:
                    shot(page, f"elder-{mode}-{name.replace(' ', '-')}")
                values, where, serious, data = _measure(page, axe_source)
                for rule, value in values.items():
                    ok = _passes(rule, mode, value)
                    table[(name, rule, mode)] = (ok, value)
                    if not ok:
                        limit = RULES[rule][mode == "elder"]
                        key = {"text px": "fonts", "line height": "heights",
                               "paragraph": "paragraphs", "target px": "targets",
                               "contrast": "contrast"}.get(rule)
                        offenders = ([f"{_fmt(v)} {w}" for v, w in data[key]
                                      if not _passes(rule, mode, v)] if key else [where[rule]])
                        violations.append(f"{mode} {name} {path}: {rule} {_fmt(value)} "
                                          f"(needs {limit}): {offenders[:8]}")
                if serious:
                    violations.append(f"{mode} {name} {path}: axe {serious}")
                if name == "login link":
                    page.locator("form button[type=submit]").first.click()
                    page.wait_for_url("**/v/")
        context.close()

    rules = list(RULES)
    names = list(pages["resident"]) + ["login link"] + list(pages["volunteer"])
    lines = ["| page | " + " | ".join(f"{r} std | {r} elder" for r in rules) + " |",
             "|---|" + "---|" * (2 * len(rules))]
    for name in names:
        cells = []
        for rule in rules:
            for mode in ("standard", "elder"):
                ok, value = table[(name, rule, mode)]
                cells.append(f"{'pass' if ok else 'FAIL'} {_fmt(value)}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    assert violations == [], "\n".join(violations)


def test_the_switch_is_in_the_header_remembered_and_follows_the_browser_font(
        app, live_server, browser):
    pages = _setup(app)["resident"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server + pages["landing"])
    standard = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    switch = page.locator("header #mode-switch")
    assert switch.inner_text() == "长辈版"
    box = switch.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    # The switch answers with a redirect back to the same address, so the URL alone cannot tell
    # the new page from the old: wait for the navigation and its stylesheets before measuring.
    with page.expect_navigation(wait_until="load"):
        switch.click()
    assert page.url.endswith(pages["landing"])  # back where the reader was
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    elder = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder >= 24 and elder > standard
    # Remembered on this phone: another page, and a new visit, stay in the elder version.
    page.goto(live_server + pages["order form"])
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.locator("header #mode-switch").inner_text() == "标准版"
    # The browser's own font size: a reader who set 20 px gets everything a quarter larger.
    cdp = context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 20}})
    page.reload()
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger == pytest.approx(elder * 20 / 16, rel=0.02)
    with page.expect_navigation(wait_until="load"):
        page.locator("header #mode-switch").click()
    assert not page.evaluate("document.documentElement.classList.contains('elder')")
    context.close()
