"""Hardship aid in the browser: the village station proposes aid for a veteran on a phone (390 px), the town
checks it and the city approves less than was asked at a desk; the fund, with a donation recorded, pays it at a
disbursement ceremony, and the fund's ledger shows the grant."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from accounts.testing import build_network
from aid.models import Application, FundEntry
from aid.services import donation_record
from e2e.conftest import no_sideways_scroll, pick, screenshot
from e2e.test_benefits import switch
from e2e.test_login import sign_in
from e2e.test_petition import act
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    net = build_network()
    person = register_veteran(net.users["city_staff"], net.grid, name="王援朝")
    return net, person, live_server.url


def test_aid_proposed_on_a_phone_is_approved_and_paid_at_a_ceremony(phone, page, live_net):
    net, person, base = live_net
    sign_in(phone, base, "village_staff")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/aid/applications/new/")
    no_sideways_scroll(phone)
    pick(phone, "veteran", "王援朝", "王援朝")
    phone.select_option("select[name=need]", "illness")
    phone.fill("textarea[name=circumstances]", "本人患病住院，医疗费用负担重")
    phone.fill("input[name=requested]", "8000")
    screenshot(phone, "aid-propose-phone")
    phone.click("form.panel button[type=submit]")
    phone.wait_for_url(re.compile(r"/aid/applications/\d+/$"))
    no_sideways_scroll(phone)
    application = Application.objects.get()
    assert application.veteran_id == person.pk and application.requested == Decimal("8000.00")
    url = phone.url

    switch(page, base, "town_staff", url)
    act(page, "forward")
    donation_record(actor=net.users["city_staff"], donor="平湖市民营企业拥军协会", donor_kind="association",
                    amount=Decimal("20000.00"), received_on=application.case.created_at.date())  # fmt: skip
    switch(page, base, "city_staff", url)
    act(page, "approve", amount="6000")
    application.refresh_from_db()
    assert application.approved == Decimal("6000.00")

    page.goto(f"{base}/aid/ceremonies/")
    page.fill("input[name=name]", "2026年春节帮扶基金发放仪式")
    page.check(f"input[name=applications][value='{application.case_id}']")
    page.click("form[action$='/aid/ceremonies/new/'] button[type=submit]")
    page.wait_for_load_state()
    assert "2026年春节帮扶基金发放仪式" in page.content()
    grant = FundEntry.objects.get(kind="grant")
    assert grant.amount == Decimal("-6000.00") and grant.application_id == application.pk
    screenshot(page, "aid-ceremony")

    page.goto(f"{base}/aid/fund/")
    ledger = page.content()
    assert "平湖市民营企业拥军协会" in ledger and "6000.00" in ledger.replace(",", "")
    assert "14000.00" in ledger.replace(",", "")  # the balance after the grant
