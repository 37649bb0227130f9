"""At a phone's width (390 px) and at a desktop's: lists are cards, the header is a menu, and the pickers
find a region and a person by name, in the browser with its script (static/js/picker.js, app.js)."""

from __future__ import annotations

import pytest

from accounts.testing import build_network
from cases.models import CaseTemplate, TemplateTask
from e2e.conftest import PHONE, pick, screenshot
from e2e.test_login import sign_in
from veterans.tests.factories import register

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    net = build_network()
    actor = net.users["city_staff"]
    people = {
        "zsl": register(actor, net.village, name="张三丽", address="平湖市当湖街道东湖村一组"),
        "lsf": register(actor, net.village, name="李思芳"),
        "wwu": register(actor, net.other_village, name="王五"),
    }
    # the seeded 一件事 templates are flushed with the transactional database: the one this test opens
    template, made = CaseTemplate.objects.get_or_create(stage="reporting", defaults={"name": "退役报到一件事",
                                                                                     "limit_days": 30})  # fmt: skip
    if made:
        TemplateTask.objects.create(template=template, order=1, title="退役报到登记", acting_level="town",
                                    limit_days=5, fields=["name", "id_number"])  # fmt: skip
    return net, people, live_server.url


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_at_a_phones_width_the_registry_is_cards_and_the_header_a_menu(phone, live_net):
    _net, _people, base = live_net
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, base, "town_staff")
    phone.wait_for_url(f"{base}/")
    assert no_overflow(phone)
    assert "2" in phone.locator("#veteran-total b").inner_text()
    screenshot(phone, "phone-home")

    phone.goto(f"{base}/veterans/")
    assert "共 2 人" in phone.locator("#total").inner_text()
    assert not phone.locator("#registry thead").is_visible()
    rows = phone.locator("#registry tbody tr")
    assert rows.count() == 2
    assert rows.first.evaluate("e => getComputedStyle(e).display") == "block"
    id_cell = rows.first.locator("td[data-label]").nth(3)
    assert id_cell.evaluate("e => getComputedStyle(e, '::before').content") == '"身份证号"'
    assert no_overflow(phone)
    header = phone.locator("header.topbar").bounding_box()
    assert header["height"] < 0.2 * PHONE["height"], header
    assert not phone.locator("nav.nav").is_visible()
    screenshot(phone, "phone-registry")

    phone.click("#menu-toggle")
    assert phone.locator("nav.nav").is_visible()
    assert phone.locator("#menu-toggle").get_attribute("aria-expanded") == "true"
    screenshot(phone, "phone-menu-open")
    phone.locator("nav.nav a", has_text="服务网络").click()
    phone.wait_for_url(f"{base}/regions/**")
    assert "当湖街道" in phone.locator("h1").inner_text()
    assert not phone.locator("nav.nav").is_visible()  # a new page starts with the menu closed
    assert no_overflow(phone)
    assert not errors, errors


@pytest.mark.parametrize("path", ["/", "/veterans/", "/petitions/", "/life-cases/", "/tasks/", "/regions/grids/",
                                  "/regions/stations/", "/veterans/new/", "/petitions/new/", "/regions/330482000000/",
                                  "/accounts/users/", "/accounts/users/new/", "/audit/", "/workflow/holidays/",
                                  "/veterans/quality/", "/life-cases/templates/"])  # fmt: skip
def test_no_page_is_wider_than_a_phone(phone, live_net, path):
    _net, _people, base = live_net
    sign_in(phone, base, "city_admin")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}{path}")
    assert phone.locator("h1").count() >= 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        screenshot(phone, f"phone-overflow{path.replace('/', '-')}")
    assert width <= PHONE["width"], path


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_region_picker_filters_the_registry(page, phone, live_net, device):
    net, _people, base = live_net
    tab = phone if device == "phone" else page
    sign_in(tab, base, "city_staff")
    tab.wait_for_url(f"{base}/")
    tab.goto(f"{base}/veterans/")
    assert "共 3 人" in tab.locator("#total").inner_text()
    pick(tab, "region", "东湖", "平湖市 › 当湖街道 › 东湖村")
    assert tab.locator("#id_region").input_value() == "平湖市 › 当湖街道 › 东湖村"
    screenshot(tab, f"{device}-region-picked")
    tab.locator("form.filters button[type=submit]").click()
    tab.wait_for_url(f"**region={net.village.code}**")
    names = tab.locator("#registry tbody td.card-title").all_inner_texts()
    assert sorted(names) == ["张三丽", "李思芳"]
    assert "共 2 人" in tab.locator("#total").inner_text()
    # the chosen region is kept in the box after the search
    assert tab.locator("#id_region").input_value() == "平湖市 › 当湖街道 › 东湖村"


def test_the_region_picker_lists_only_the_users_scope(page, live_net):
    net, _people, base = live_net
    sign_in(page, base, "town_staff")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/veterans/")
    page.locator("#id_region").fill("海湾")
    page.wait_for_selector(".picker-options li.picker-none")
    assert page.locator(".picker-options li[data-value]").count() == 0
    page.locator("#id_region").fill("东湖")
    page.wait_for_selector(".picker-options li[data-value]")
    options = page.locator(".picker-options li[data-value]").all_inner_texts()
    assert options and all("当湖街道" in o for o in options)
    screenshot(page, "desktop-region-options")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the keyboard chooses too, and does not send the form
    assert page.locator("input[type=hidden][name=region]").input_value() == net.village.code
    assert page.url == f"{base}/veterans/"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_person_picker_opens_a_case_for_the_person_found(page, phone, live_net, device):
    _net, people, base = live_net
    tab = phone if device == "phone" else page
    sign_in(tab, base, "town_staff")
    tab.wait_for_url(f"{base}/")
    tab.goto(f"{base}/life-cases/new/")
    tail = people["zsl"].id_number_masked[-4:]
    tab.locator("#id_veteran_id").fill("王五")  # another town's: not offered
    tab.wait_for_selector(".picker-options li.picker-none")
    pick(tab, "veteran_id", tail, "张三丽")
    assert tab.locator("#id_veteran_id").input_value() == f"张三丽 · {people['zsl'].id_number_masked}"
    tab.select_option("select[name=stage]", "reporting")
    screenshot(tab, f"{device}-person-picked")
    tab.locator("form.panel button[type=submit]").click()
    tab.wait_for_url(f"{base}/life-cases/*/")
    assert "张三丽" in tab.locator("main").inner_text()
    screenshot(tab, f"{device}-case-opened")


def test_the_petition_form_shows_the_person_it_was_opened_for(page, live_net):
    _net, people, base = live_net
    sign_in(page, base, "town_staff")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/petitions/new/?veteran={people['lsf'].pk}")
    assert page.locator("#id_veteran_id").input_value() == f"李思芳 · {people['lsf'].id_number_masked}"
    assert page.locator("input[type=hidden][name=veteran_id]").input_value() == str(people["lsf"].pk)
    screenshot(page, "petition-prefilled")


@pytest.fixture
def no_script(browser):
    """A phone whose browser runs no script: the pickers and the menu must still work."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def test_without_script_the_menu_is_open_and_the_pickers_are_a_select_and_a_looked_up_box(no_script, live_net):
    net, _people, base = live_net
    tab = no_script
    sign_in(tab, base, "town_staff")
    tab.wait_for_url(f"{base}/")
    assert tab.locator("nav.nav").is_visible() and not tab.locator("#menu-toggle").is_visible()
    tab.goto(f"{base}/veterans/")
    assert no_overflow(tab)
    tab.select_option("select[name=region]", net.village.code)
    tab.locator("form.filters button[type=submit]").click()
    tab.wait_for_url(f"**region={net.village.code}**")
    assert sorted(tab.locator("#registry tbody td.card-title").all_inner_texts()) == ["张三丽", "李思芳"]
    screenshot(tab, "noscript-registry")
    tab.goto(f"{base}/life-cases/new/")
    tab.fill("input[name=veteran_id__q]", "lsf")
    tab.select_option("select[name=stage]", "reporting")
    tab.locator("form.panel button[type=submit]").click()
    tab.wait_for_url(f"{base}/life-cases/*/")
    assert "李思芳" in tab.locator("main").inner_text()
