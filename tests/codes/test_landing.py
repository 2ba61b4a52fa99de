"""The poster landing puts the resident's order first and tells volunteers the truth about the
kiosk: the poster sign-in is the way only where there is no kiosk."""

from __future__ import annotations

from urllib.parse import urlsplit

from server.codes.operations import code_url


def _landing(client, code) -> str:
    response = client.get(urlsplit(code_url(code)).path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_order_comes_first_and_a_site_without_a_kiosk_says_so(client, coded, network):
    page = _landing(client, coded["library"])
    order = page.index(f'href="/orders/new/{network["library"].id}"')
    assert 'class="button primary-action"' in page[page.rfind("<a", 0, order):order]
    assert order < page.index("志愿者签到、签退") < page.index("/v/shifts/poster/")
    assert "这里没有服务终端" in page
    assert "<details" not in page  # the poster is the way here, not hidden


def test_a_site_with_a_kiosk_sends_volunteers_to_it(client, coded, network,
                                                    enroll_kiosk):
    enroll_kiosk(network["library"])
    page = _landing(client, coded["library"])
    assert "这里没有服务终端" not in page
    assert "请扫描服务终端屏幕上的动态码" in page
    details = page[page.index("<details"):page.index("</details>")]
    assert "服务终端用不了？" in details and "/v/shifts/poster/" in details
    # Another site's kiosk does not count here.
    assert "这里没有服务终端" in _landing(client, coded["east_station"])
