"""A month of pensions paid end to end in the browser, and the annual confirmation on a phone.

The bureau generates the batch, its maker checks it, a second person approves it, the bank file goes out,
the bank's return file comes back with one failure, and the next month's batch resends that line.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.utils import timezone

from accounts.testing import build_network
from benefits.bank import return_file_for
from benefits.models import Batch, LineKind
from benefits.standards import add_months
from benefits.tests.helpers import entitlement, standard
from e2e.conftest import no_sideways_scroll, screenshot
from e2e.test_login import sign_in
from e2e.test_petition import act

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    return build_network(), live_server.url


def switch(page, base: str, username: str, url: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base, username)
    page.wait_for_url(f"{base}/")
    page.goto(url)


def test_a_month_is_paid_and_its_failure_resent_next_month(page, live_net, tmp_path):
    net, base = live_net
    this_month = timezone.localdate().replace(day=1)
    last_month = add_months(this_month, -1)
    standard("disability", "2000.00", grade=6, cause="war")
    people = [entitlement(net, since=f"{last_month:%Y-%m-%d}", confirmed_year=this_month.year) for _ in range(3)]

    sign_in(page, base, "city_staff")
    page.goto(f"{base}/benefits/")
    page.fill("#generate input[name=period]", f"{last_month:%Y-%m}")
    page.click("#generate button[type=submit]")
    page.wait_for_selector("button[value=checked]")
    batch_url = page.url
    assert "6000.00" in page.locator("main").inner_text()
    act(page, "checked")

    switch(page, base, "city_staff", batch_url)  # the maker may not approve
    assert page.locator("button[value=approve]").count() == 0
    switch(page, base, "city_admin", batch_url)
    act(page, "approve")

    with page.expect_download() as download:
        page.click("a[href$='bank-file.xlsx']")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][1]).startswith("FF") and len(rows) == 2 + len(people)

    batch = Batch.objects.get(period=last_month)
    failed = batch.lines.get(entitlement=people[0]).reference
    returned = tmp_path / "回盘.xlsx"
    returned.write_bytes(return_file_for(batch, {failed: "账户已销户"}))
    page.reload()  # sent to the bank: the page now takes the bank's return file
    page.set_input_files("#return-file input[type=file]", str(returned))
    page.click("#return-file button[type=submit]")
    page.wait_for_load_state()
    batch.refresh_from_db()
    assert batch.state == "reconciled"
    page.goto(f"{batch_url}?show=failed")
    assert "账户已销户" in page.locator("main").inner_text()
    screenshot(page, "benefits-batch-reconciled")

    page.goto(f"{base}/benefits/")
    page.fill("#generate input[name=period]", f"{this_month:%Y-%m}")
    page.click("#generate button[type=submit]")
    page.wait_for_selector("button[value=checked]")
    next_batch = Batch.objects.get(period=this_month)
    resend = next_batch.lines.get(kind=LineKind.RESEND)
    assert resend.resend_of.reference == failed and resend.period == last_month


def test_a_station_confirms_its_people_on_a_phone(phone, live_net):
    net, base = live_net
    standard("disability", "2000.00", grade=6, cause="war")
    year = timezone.localdate().year
    people = [entitlement(net, since="2026-01-01", confirmed_year=year - 1) for _ in range(2)]
    sign_in(phone, base, "village_staff")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/benefits/confirmations/?year={year}")
    button = phone.locator("button.big").first
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300
    no_sideways_scroll(phone)
    button.click()
    phone.wait_for_load_state()
    people[0].refresh_from_db()
    people[1].refresh_from_db()
    assert sorted(p.confirmed_year for p in people) == [year - 1, year]
    assert phone.locator("button.big").count() == 1
    screenshot(phone, "benefits-confirmation-phone")
