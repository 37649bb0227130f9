from __future__ import annotations

import pytest
from openpyxl import Workbook

from accounts.testing import build_network
from e2e.conftest import screenshot
from e2e.test_login import sign_in
from veterans.tests.factories import register, valid_row

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    return build_network(), live_server.url


def test_a_town_user_finds_a_veteran_and_sees_the_full_id_with_a_reason(page, live_net):
    net, base = live_net
    veteran = register(net.users["town_staff"], net.village, name="张三丽")
    full_id = veteran.id_number_masked  # masked form; the full one is revealed below
    sign_in(page, base, "town_staff")
    page.goto(f"{base}/veterans/?q=zsl")
    page.click("text=张三丽")
    assert page.locator("code").first.inner_text() == full_id
    page.fill("input[name=reason]", "核对优抚对象身份")
    page.click("#reveal-box button[type=submit]")
    revealed = page.locator("#full-id").inner_text()
    assert len(revealed) == 18 and revealed.startswith(full_id[:6]) and revealed.endswith(full_id[-4:])
    screenshot(page, "veteran-detail")


def test_a_town_user_imports_an_excel_file_and_confirms(page, live_net, tmp_path):
    net, base = live_net
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "所属区划代码", "入伍时间", "退役时间", "退役方式"])
    for name in ("李一", "李二"):
        row = valid_row(net.village, name=name)
        sheet.append([row[k] for k in ("name", "id_number", "region_code", "enlisted_on", "discharged_on")] + ["退伍"])
    path = tmp_path / "veterans.xlsx"
    book.save(path)
    sign_in(page, base, "town_staff")
    page.goto(f"{base}/imports/new/veteran/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit]")
    page.wait_for_selector("#import-state[data-status=valid]")
    page.click("form[action$='/commit/'] button")
    page.wait_for_selector("#import-state[data-status=committed]")
    screenshot(page, "import-committed")
    page.goto(f"{base}/veterans/?q=李")
    assert page.locator("tbody tr").count() == 2


def test_import_errors_are_shown_in_place(page, live_net, tmp_path):
    net, base = live_net
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "所属区划代码", "入伍时间", "退役时间", "退役方式"])
    sheet.append(["王五", "330482199001011230", net.village.code, "2010-09", "2008-12", "开除"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    sign_in(page, base, "town_staff")
    page.goto(f"{base}/imports/new/veteran/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit]")
    page.wait_for_selector("#import-state[data-status=invalid]")
    table = page.locator("#import-errors").inner_text()
    assert "身份证号" in table and "退役方式" in table and "退伍" in table
    screenshot(page, "import-errors")
