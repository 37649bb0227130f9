"""The cockpit in the browser: the city's figures drawn as charts (under the site's strict policy, no console
error), a town's bar opening the town's cockpit, a town user kept to their town, the phone's width and the big
screen."""

from __future__ import annotations

import pytest

from accounts.testing import build_network
from cockpit import build
from e2e.conftest import PHONE, no_sideways_scroll, screenshot, until
from e2e.test_login import sign_in
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.browser

READY = "document.documentElement.hasAttribute('data-charts-ready')"


@pytest.fixture
def live_net(transactional_db, live_server):
    net = build_network()
    staff = net.users["city_staff"]
    for region in (net.grid, net.grid, net.village, net.other_grid):
        register_veteran(staff, region)
    build.rebuild()
    return net, live_server.url


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def charts_drawn(page) -> int:
    until(page, READY)
    drawn = page.evaluate("document.querySelectorAll('[data-chart] canvas').length")
    assert drawn >= page.evaluate("document.querySelectorAll('[data-chart]').length") > 0
    return int(drawn)


def test_the_city_sees_its_charts_and_a_town_s_bar_opens_the_town(page, live_net):
    net, base = live_net
    errors = watch_errors(page)
    sign_in(page, base, "city_staff")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/cockpit/")
    charts_drawn(page)
    assert "数据截至" in page.locator("#as-of").inner_text()
    screenshot(page, "cockpit-city")
    # the bar of 当湖街道 in the veterans' card: its pixel from the chart itself
    point = page.evaluate(
        """() => {
          const node = document.querySelector('#card-veteransliving [data-chart]');
          const chart = echarts.getInstanceByDom(node);
          const [x, y] = chart.convertToPixel({seriesIndex: 0}, [0, 1]);
          const box = node.getBoundingClientRect();
          return {x: box.left + x, y: box.top + y - 2};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/cockpit/?region={net.danghu.code}*")
    assert "当湖街道" in page.locator(".cockpit-trail [aria-current=page]").inner_text()
    charts_drawn(page)
    assert page.locator("#card-veteransliving .cockpit-headline b").inner_text() == "3"
    # the table says it too, and its count opens the registry's list of the village
    page.locator("#card-veteransliving a.drill", has_text="东湖村").click()
    page.wait_for_url(f"**/cockpit/?region={net.village.code}*")
    charts_drawn(page)
    page.locator(".cockpit-trail a", has_text="平湖市").click()
    page.wait_for_url(f"**/cockpit/?region={net.city.code}*")
    charts_drawn(page)
    assert not errors, errors  # nothing refused by the Content-Security-Policy
    # printed: no navigation nor controls, the charts within an A4 page's width (170 mm ≈ 643 px)
    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden() and page.locator(".cockpit-bar").is_hidden()
    assert page.evaluate("document.querySelector('[data-chart]').getBoundingClientRect().width") <= 645
    page.pdf(path=str(screenshot(page, "cockpit-print").with_suffix(".pdf")), format="A4")


def test_the_indicator_page_draws_its_chart_and_map(page, live_net):
    _net, base = live_net
    errors = watch_errors(page)
    sign_in(page, base, "city_staff")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/cockpit/veterans.living/")
    assert charts_drawn(page) == 2  # the bars and the map
    screenshot(page, "cockpit-indicator")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.click(".cockpit-ways a:nth-child(2)")
    charts_drawn(page)
    assert not errors, errors


def test_a_town_user_starts_at_their_town_and_may_not_see_another(page, live_net):
    net, base = live_net
    errors = watch_errors(page)
    sign_in(page, base, "town_staff")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/cockpit/")
    assert page.locator(".cockpit-trail [aria-current=page]").inner_text() == "当湖街道"
    assert page.locator(".cockpit-trail a").count() == 0  # nothing above their town
    charts_drawn(page)
    assert not errors, errors
    response = page.goto(f"{base}/cockpit/?region={net.zhapu.code}")
    assert response.status == 400
    assert "您的辖区内没有这个区划代码" in page.locator("[role=alert]").inner_text()


def test_the_cockpit_fits_a_phone(phone, live_net):
    _net, base = live_net
    errors = watch_errors(phone)
    sign_in(phone, base, "city_staff")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/cockpit/")
    charts_drawn(phone)
    no_sideways_scroll(phone)
    widest = phone.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-chart] canvas')].map(c => c.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"]
    screenshot(phone, "cockpit-phone")
    phone.goto(f"{base}/cockpit/veterans.living/")
    charts_drawn(phone)
    no_sideways_scroll(phone)
    assert not errors, errors


def test_the_big_screen_renders_dark_with_its_map(browser, live_net):
    _net, base = live_net
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = watch_errors(page)
    sign_in(page, base, "city_staff")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/cockpit/screen/")
    charts_drawn(page)
    assert page.locator("#chart-map canvas").count() == 1
    assert page.locator("nav.nav").count() == 0
    assert page.locator("meta[http-equiv=refresh]").get_attribute("content") == "300"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    screenshot(page, "cockpit-screen")
    assert not errors, errors
    context.close()


def test_the_benchmark_times_the_page_until_its_charts_are_drawn(live_net):
    from concurrent.futures import ThreadPoolExecutor

    from accounts.testing import TEST_PASSWORD
    from bench.cockpit_page import render_seconds

    net, base = live_net
    # a thread of its own: the session's browser runs Playwright's loop in this one
    with ThreadPoolExecutor(1) as pool:
        seconds = pool.submit(render_seconds, base, ("city_staff", TEST_PASSWORD), net.danghu.code, loads=2).result()
    assert 0 < seconds < 30
