"""The people's pages of 抚恤补助: entitlements, proposals through the process, the annual confirmation and the
timeline, each seen by whom it is for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from benefits.entitlements import confirm
from benefits.generation import generate_batch
from benefits.models import Entitlement, EntitlementStatus, Proposal
from benefits.tests.helpers import entitlement, new_account, standard
from core.crypto import decrypt
from veterans.tests.factories import register as register_veteran
from workflow.models import Task

pytestmark = pytest.mark.django_db

LIST = "/benefits/entitlements/"
NEW = "/benefits/proposals/new/"
CONFIRM = "/benefits/confirmations/"


def page(response: Any) -> str:
    return str(response.content.decode())


def person(net: Network, region: Any, name: str) -> Any:
    return register_veteran(net.users["city_staff"], region, name=name)


# --- entitlements -----------------------------------------------------------------------------------------------


def test_the_list_and_the_page_are_scoped(net: Network) -> None:
    mine = entitlement(net, veteran=person(net, net.village, "李大明"))
    theirs = entitlement(net, veteran=person(net, net.other_village, "王小军"))
    town = net.client("town_staff")
    listing = page(town.get(LIST))
    assert mine.beneficiary_name in listing and theirs.beneficiary_name not in listing
    assert mine.account_masked in listing and decrypt(mine.account_enc) not in listing
    assert "正常发放" in listing and ">active<" not in listing
    assert town.get(f"{LIST}{mine.pk}/").status_code == 200
    assert town.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert net.client("other_town_staff").get(f"{LIST}{mine.pk}/").status_code == 404
    assert net.client("liaison").get(LIST).status_code == 403
    assert net.client("city_staff").post(LIST).status_code == 405


def test_the_list_filters_by_program_status_town_and_name(net: Network) -> None:
    disabled = entitlement(net, veteran=person(net, net.village, "李大明"))
    elderly = entitlement(net, veteran=person(net, net.other_village, "王小军"), code="rural_elderly")
    client = net.client("city_staff")
    by_program = page(client.get(LIST, {"program": "rural_elderly"}))
    assert elderly.beneficiary_name in by_program and disabled.beneficiary_name not in by_program
    by_town = page(client.get(LIST, {"town": net.danghu.code}))
    assert disabled.beneficiary_name in by_town and elderly.beneficiary_name not in by_town
    assert elderly.beneficiary_name in page(client.get(LIST, {"q": elderly.beneficiary_name}))
    assert disabled.beneficiary_name not in page(client.get(LIST, {"status": "ended"}))
    assert client.get(LIST, {"cursor": "!!"}).status_code == 400
    assert client.get(LIST, {"program": "nonsense"}).status_code == 200  # said at the field, the rest still listed


def test_the_page_shows_the_entitlement_in_words(net: Network) -> None:
    e = entitlement(net, net.village, grade=6, cause="war")
    body = page(net.client("town_staff").get(f"{LIST}{e.pk}/"))
    assert e.program.name in body and "6 级" in body and "因战" in body
    assert e.beneficiary_id_masked in body and decrypt(e.beneficiary_id_enc) not in body
    assert e.account_masked in body
    for english in ("active", "war", "disability", "None"):
        assert f">{english}<" not in body
    # suspending is the bureau's: the town sees no such form
    assert "suspend/" not in body


# --- the manager's actions --------------------------------------------------------------------------------------


def test_suspend_resume_and_end_from_the_page(net: Network) -> None:
    e = entitlement(net, net.village)
    url = f"{LIST}{e.pk}/"
    client = net.client("city_staff")
    refused = client.post(f"{url}suspend/", {"reason": ""})
    assert refused.status_code == 400 and "has-error" in page(refused)
    assert net.client("town_staff").post(f"{url}suspend/", {"reason": "外出"}).status_code == 403
    assert client.post(f"{url}suspend/", {"reason": "长期外出待核实"}).status_code == 302
    e.refresh_from_db()
    assert e.status == EntitlementStatus.SUSPENDED and e.status_reason == "长期外出待核实"
    assert "长期外出待核实" in page(client.get(url))
    again = client.post(f"{url}suspend/", {"reason": "再次"})
    assert again.status_code == 400  # only an active one: said on the page, not a 500
    assert client.post(f"{url}resume/", {"backpay": "yes"}).status_code == 302
    e.refresh_from_db()
    assert e.status == EntitlementStatus.ACTIVE
    assert client.post(f"{url}end/", {"last_month": "bad", "reason": "迁出"}).status_code == 400
    assert client.post(f"{url}end/", {"last_month": "2026-12", "reason": "户籍迁出本市"}).status_code == 302
    e.refresh_from_db()
    assert e.status == EntitlementStatus.ENDED and e.to_month == dt.date(2026, 12, 1)
    actions = set(AuditEntry.objects.filter(object_id=str(e.pk)).values_list("action", flat=True))
    assert {"benefits.entitlement_suspend", "benefits.entitlement_resume", "benefits.entitlement_end"} <= actions


def test_the_full_account_is_shown_once_audited_and_not_stored(net: Network) -> None:
    e = entitlement(net, net.village)
    url = f"{LIST}{e.pk}/reveal/"
    full = decrypt(e.account_enc)
    assert net.client("town_staff").post(url, {"reason": "核对银行信息"}).status_code == 403
    assert net.client("auditor").post(url, {"reason": "核对银行信息"}).status_code == 403
    client = net.client("city_staff")
    short = client.post(url, {"reason": "看"})
    assert short.status_code == 400 and full not in page(short)
    shown = client.post(url, {"reason": "银行退回，核对账号"})
    assert shown.status_code == 200 and full in page(shown)
    assert "no-store" in shown["Cache-Control"]
    entry = AuditEntry.objects.get(action="benefits.reveal_account")
    assert entry.object_id == str(e.pk) and entry.reason == "银行退回，核对账号"
    detail = client.get(f"{LIST}{e.pk}/")
    assert full not in page(detail) and "no-store" in detail["Cache-Control"]


# --- proposals --------------------------------------------------------------------------------------------------


def form(veteran: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "veteran_id": str(veteran.pk), "program": "disability", "grade": "6", "cause": "war",
        "from_month": "2026-12", "bank_name": "平湖农商银行", "account": new_account(), "reason": "因战致残，证件齐全",
    }  # fmt: skip
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"account": "1234"}, "account"),
        ({"account": "6217 ABCD 0000 1111"}, "account"),
        ({"grade": ""}, "grade"),
        ({"cause": ""}, "cause"),
        ({"from_month": "2026-13"}, "from_month"),
        ({"bank_name": " "}, "bank_name"),
        ({"veteran_id": ""}, "veteran_id"),
        ({"program": "survivor"}, "family_member"),
    ],
)
def test_bad_proposals_are_refused_at_their_field(net: Network, overrides: dict, field: str) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    response = net.client("village_staff").post(NEW, form(veteran, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Proposal.objects.exists()


def test_a_second_entitlement_of_the_same_program_is_refused(net: Network) -> None:
    e = entitlement(net, net.village)
    response = net.client("village_staff").post(NEW, form(e.veteran))
    assert response.status_code == 400 and "program" in response.context["form"].errors
    assert "此人已享受残疾抚恤金" in page(response)


def test_the_typed_account_is_not_written_back_into_a_refused_form(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    account = new_account()
    response = net.client("village_staff").post(NEW, form(veteran, account=account, grade=""))
    assert response.status_code == 400 and account not in page(response)


def test_the_village_proposes_the_town_checks_and_the_city_approves(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    village = net.client("village_staff")
    assert "proposals/new/?veteran=" in page(village.get(f"/veterans/{veteran.pk}/"))
    assert village.get(NEW, {"veteran": veteran.pk}).status_code == 200
    done = village.post(NEW, form(veteran))
    assert done.status_code == 302, done.context["form"].errors if done.context else done
    proposal = Proposal.objects.get()
    url = done["Location"]
    assert url == f"/benefits/proposals/{proposal.case_id}/"
    assert net.client("other_town_staff").get(url).status_code == 404
    town = net.client("town_staff")
    body = page(town.get(url))
    assert proposal.case.number in body and "因战" in body and proposal.account_masked in body
    listing = page(town.get("/benefits/proposals/"))
    assert proposal.case.number in listing
    task = Task.objects.get(case=proposal.case, status="open")
    assert task.step == "town_check"
    assert f"/tasks/{task.pk}/act/" in body  # the town checks it right on the proposal's page
    assert town.post(f"/tasks/{task.pk}/act/", {"action": "checked", "next": url}).status_code == 302
    approval = Task.objects.get(case=proposal.case, status="open")
    assert approval.step == "city_approve"
    # the town that checked it cannot approve it as well
    refused = town.post(f"/tasks/{approval.pk}/act/", {"action": "approve"})
    assert refused.status_code in (403, 404)
    assert not Entitlement.objects.exists()
    city = net.client("city_staff")
    assert f"/tasks/{approval.pk}/act/" in page(city.get(url))
    assert city.post(f"/tasks/{approval.pk}/act/", {"action": "approve", "next": url}).status_code == 302
    started = Entitlement.objects.get()
    assert started.veteran == veteran and started.grade == 6 and started.from_month == dt.date(2026, 12, 1)
    assert f"/benefits/entitlements/{started.pk}/" in page(city.get(url))


def test_a_family_member_is_offered_once_the_veteran_is_chosen(net: Network) -> None:
    from veterans.models import FamilyMember

    veteran = register_veteran(net.users["city_staff"], net.village)
    member = FamilyMember.objects.create(veteran=veteran, relation="spouse", name="王秀英")
    body = page(net.client("village_staff").get(NEW, {"veteran": veteran.pk}))
    assert "王秀英" in body
    response = net.client("village_staff").post(
        NEW, form(veteran, program="survivor", grade="", cause="martyr", family_member=str(member.pk))
    )
    # the member has no ID number on record: it is asked for at its field
    assert response.status_code == 400 and "id_number" in response.context["form"].errors


# --- the annual confirmation ------------------------------------------------------------------------------------


def test_the_station_confirms_on_its_phone_and_a_repeat_is_said_kindly(net: Network) -> None:
    year = timezone.localdate().year
    due = entitlement(net, veteran=person(net, net.village, "李大明"), confirmed_year=year - 1)
    done = entitlement(net, veteran=person(net, net.village, "赵文华"), confirmed_year=year)
    elsewhere = entitlement(net, veteran=person(net, net.other_village, "王小军"), confirmed_year=year - 1)
    client = net.client("village_staff")
    body = page(client.get(CONFIRM))
    assert due.beneficiary_name in body and done.beneficiary_name not in body
    assert elsewhere.beneficiary_name not in body
    assert 'id="count-to-confirm">1<' in body and 'id="count-confirmed">1<' in body
    assert "03-31" in body and "btn big" in body
    answer = client.post(CONFIRM, {"entitlement": due.pk, "year": year}, follow=True)
    assert answer.status_code == 200 and f"李大明 {year} 年度已确认（1 项待遇）" in page(answer)
    due.refresh_from_db()
    assert due.confirmed_year == year
    repeat = client.post(CONFIRM, {"entitlement": due.pk, "year": year}, follow=True)
    assert repeat.status_code == 200
    assert [m.level_tag for m in repeat.context["messages"]] == ["info"]
    assert "已确认过，无需重复确认" in page(repeat)
    assert net.client("village_staff").post(CONFIRM, {"entitlement": elsewhere.pk, "year": year}).status_code == 404
    assert client.post(CONFIRM, {}).status_code == 302
    assert client.get(CONFIRM, {"year": "abc"}).status_code == 400
    assert net.client("auditor").get(CONFIRM).status_code == 403


# --- the timeline -----------------------------------------------------------------------------------------------


def test_the_timeline_shows_the_entitlement_and_its_payments(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    e = entitlement(net, net.village, since="2026-10-01")
    generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20))
    body = page(net.client("town_staff").get(f"/veterans/{e.veteran_id}/"))
    assert "2026-11" in body and "2026-10" in body and "2000.00" in body
    assert f"/benefits/entitlements/{e.pk}/" in body
    other = page(net.client("other_town_staff").get(f"/veterans/{e.veteran_id}/"))
    assert "2000.00" not in other
    detail = page(net.client("city_staff").get(f"{LIST}{e.pk}/"))
    assert "2000.00" in detail and "/benefits/batches/" in detail


def test_confirm_is_for_all_of_a_persons_entitlements(net: Network) -> None:
    year = timezone.localdate().year
    e = entitlement(net, net.village, confirmed_year=year - 1)
    assert confirm(actor=net.users["village_staff"], entitlement=e, year=year) == 1


def test_the_lists_take_as_many_queries_for_many_rows_as_for_few(net: Network) -> None:
    year = timezone.localdate().year
    client = net.client("village_staff")
    entitlement(net, net.village, confirmed_year=year - 1)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as few:
            client.get(LIST)
            client.get(CONFIRM)
        counts.append(len(few))
        for _n in range(5):
            entitlement(net, net.village, confirmed_year=year - 1)
    assert counts[1] <= counts[0], counts
