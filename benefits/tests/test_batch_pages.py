"""The batch pages of 抚恤补助: the batches and their generation, one batch (totals, held lines, maker-checker,
taking a line out), the year's figures, the standards and the overpayments."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import astuple
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.testing import Network
from benefits.batches import Result, line_totals, payable_lines, record_return
from benefits.generation import generate_batch
from benefits.models import Batch, BatchState, LineKind, Overpayment, PaymentLine, Standard
from benefits.standards import add_months, month_start
from benefits.tests.helpers import entitlement, standard
from workflow.models import Task

pytestmark = pytest.mark.django_db

#: This month: the page generates with today's date.
MONTH = month_start(timezone.localdate())
HOME = "/benefits/"


def _setup(net: Network, *, held: bool = True) -> dict[str, Any]:
    standard("disability", "2000.00", grade=6, cause="war")
    standard("war_participant", "800.00")
    year = MONTH.year
    people = {
        "a": entitlement(net, since=f"{MONTH:%Y-%m-01}", confirmed_year=year),
        # back-pay: two months before this one
        "b": entitlement(net, net.other_village, since=f"{add_months(MONTH, -2):%Y-%m-01}", confirmed_year=year),
        "c": entitlement(net, code="war_participant", since=f"{MONTH:%Y-%m-01}", confirmed_year=year),
    }
    if held:
        people["d"] = entitlement(net, since=f"{MONTH:%Y-%m-01}", confirmed_year=year, agreed_amount=Decimal("1999"))
    return people


def _generate(net: Network, who: str = "city_staff") -> Batch:
    return generate_batch(actor=net.users[who], period=MONTH).batch


def _url(batch: Batch) -> str:
    return f"/benefits/batches/{batch.case_id}/"


def _act(net: Network, who: str, batch: Batch, action: str, note: str = "") -> Any:
    task = Task.objects.get(case_id=batch.case_id, status=Task.Status.OPEN)
    data = {"action": action, "note": note, "next": _url(batch)}
    return net.client(who).post(f"/tasks/{task.pk}/act/", data)


def _paid_batch(net: Network) -> Batch:
    """A batch checked, approved, sent to the bank and returned: every line paid but one failed."""
    batch = _generate(net)
    assert _act(net, "city_staff", batch, "checked").status_code == 302
    assert _act(net, "city_admin", batch, "approve").status_code == 302
    batch, lines = payable_lines(actor=net.users["city_staff"], batch=batch)
    lines = list(lines)
    results = [
        Result(line.reference or "", line.amount, paid=i > 0, reason="" if i > 0 else "户名不符", row=i + 2)
        for i, line in enumerate(lines)
    ]
    total = sum((r.amount for r in results), Decimal("0.00"))
    record_return(actor=net.users["city_staff"], batch=batch, name="回盘.xlsx", sha256=hashlib.sha256(b"x").hexdigest(),
                  results=results, count=len(results), total=total)  # fmt: skip
    batch.refresh_from_db()
    return batch


# --- the batches ------------------------------------------------------------------------------------------------


def test_it_generates_the_months_batch_from_the_page(net: Network) -> None:
    _setup(net)
    client = net.client("city_staff")
    page = client.get(HOME)
    assert page.status_code == 200
    assert 'id="generate"' in page.content.decode()
    done = client.post(HOME, {"period": f"{MONTH:%Y-%m}"}, follow=True)
    batch = Batch.objects.get()
    assert done.redirect_chain[-1][0] == _url(batch)
    said = [str(m) for m in done.context["messages"]]
    assert said == [f"{MONTH:%Y-%m} 批次：新增 5 条明细（合计 8800.00 元），暂缓发放 1 条。"]
    listing = client.get(HOME).content.decode()
    assert batch.case.number in listing and f"{MONTH:%Y-%m}" in listing


@pytest.mark.parametrize(
    ("period", "words"),
    [("2026-13", "YYYY-MM"), ("abc", "YYYY-MM"), (f"{add_months(MONTH, 1):%Y-%m}", "尚未开始")],
)
def test_a_bad_month_is_refused_at_its_field(net: Network, period: str, words: str) -> None:
    page = net.client("city_staff").post(HOME, {"period": period})
    assert page.status_code == 400
    assert words in " ".join(page.context["form"].errors["period"])
    assert not Batch.objects.exists()


def test_only_the_bureau_generates(net: Network) -> None:
    town = net.client("town_staff")
    page = town.get(HOME)
    assert page.status_code == 200 and 'id="generate"' not in page.content.decode()
    assert town.post(HOME, {"period": f"{MONTH:%Y-%m}"}).status_code == 403
    assert net.client("auditor").post(HOME, {"period": f"{MONTH:%Y-%m}"}).status_code == 403
    assert net.client("liaison").get(HOME).status_code == 403
    assert net.client("city_staff").delete(HOME).status_code == 405
    assert not Batch.objects.exists()


def test_the_home_page_links_to_the_other_pages_in_chinese(net: Network) -> None:
    page = net.client("city_staff").get(HOME).content.decode()
    for url, words in [("/benefits/figures/", "发放统计"), ("/benefits/standards/", "项目与标准"),
                       ("/benefits/overpayments/", "多发待追回")]:  # fmt: skip
        assert f'href="{url}"' in page and words in page


# --- one batch --------------------------------------------------------------------------------------------------


def test_the_batch_page_shows_totals_that_sum_to_its_lines(net: Network) -> None:
    people = _setup(net)
    batch = _generate(net)
    page = net.client("city_staff").get(_url(batch))
    assert page.status_code == 200
    summary = page.context["summary"]
    totals = line_totals(batch)
    assert (summary.by_program.count, summary.by_program.total) == (totals.count, totals.total)
    assert (summary.by_kind.count, summary.by_kind.total) == (totals.count, totals.total)
    assert totals.total == Decimal("8800.00")  # 2000, 3 × 2000 (two months back-paid), 800
    assert {r.label: (r.count, r.amount) for r in summary.by_program.rows} == {
        "残疾抚恤金": (4, Decimal("8000.00")),
        "参战参试退役人员生活补助": (1, Decimal("800.00")),
    }
    assert {r.key: r.count for r in summary.by_kind.rows} == {LineKind.REGULAR: 3, LineKind.ARREARS: 2}
    assert [(r.key, r.count) for r in summary.held.rows] == [("amount_differs", 1)]
    html = page.content.decode()
    assert "名册金额与标准不一致" in html  # the held reason in words
    assert people["d"].beneficiary_name in html and people["d"].account_masked in html
    assert "amount_differs" not in html.replace('data-key="amount_differs"', "").replace("show=amount_differs", "")
    assert page.context["case"].pk == batch.case_id  # the case partial


def test_the_batch_page_lists_lines_by_what_is_asked(net: Network) -> None:
    _setup(net)
    batch = _generate(net)
    client = net.client("city_staff")
    assert len(client.get(_url(batch) + "?show=all").context["rows"]) == 6
    assert len(client.get(_url(batch) + "?show=payable").context["rows"]) == 5
    assert len(client.get(_url(batch) + "?show=amount_differs").context["rows"]) == 1
    assert len(client.get(_url(batch) + "?show=junk").context["rows"]) == 1  # the held lines
    assert client.get(_url(batch) + "?cursor=junk").status_code == 400


def test_the_lines_are_paged(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    from benefits.views import batches as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _setup(net)
    batch = _generate(net)
    client = net.client("city_staff")
    first = client.get(_url(batch) + "?show=all")
    assert len(first.context["rows"]) == 2 and first.context["next_cursor"]
    seen = [line.pk for line in first.context["rows"]]
    cursor = first.context["next_cursor"]
    while cursor:
        page = client.get(_url(batch) + f"?show=all&cursor={cursor}")
        seen += [line.pk for line in page.context["rows"]]
        cursor = page.context["next_cursor"]
    assert sorted(seen) == sorted(PaymentLine.objects.filter(batch=batch).values_list("pk", flat=True))


def test_the_batch_page_asks_as_many_queries_for_many_lines_as_for_few(
    net: Network, django_assert_max_num_queries: Any
) -> None:
    _setup(net)
    for _ in range(30):
        entitlement(net, since=f"{MONTH:%Y-%m-01}", confirmed_year=MONTH.year, agreed_amount=Decimal("1999"))
        entitlement(net, since=f"{MONTH:%Y-%m-01}", confirmed_year=MONTH.year)
    batch = _generate(net)
    assert batch.lines.count() > 60
    client = net.client("city_staff")
    client.get(_url(batch))  # the session, the user
    with django_assert_max_num_queries(20):  # 16 on SQLite, whatever the lines
        page = client.get(_url(batch))
    assert page.status_code == 200 and len(page.context["rows"]) == 31


def test_the_maker_checks_and_a_second_person_approves_from_the_page(net: Network) -> None:
    _setup(net)
    batch = _generate(net)
    staff = net.client("city_staff")
    page = staff.get(_url(batch)).content.decode()
    assert 'value="checked"' in page  # the case partial's action form
    checked = _act(net, "city_staff", batch, "checked")
    assert checked.status_code == 302 and checked["Location"] == _url(batch)
    batch.refresh_from_db()
    assert (batch.state, batch.checked_by, batch.line_count) == (BatchState.CHECKED, net.users["city_staff"], 5)
    # the maker cannot be the checker: the engine refuses
    refused = _act(net, "city_staff", batch, "approve")
    assert refused.status_code in (400, 403)
    batch.refresh_from_db()
    assert batch.state == BatchState.CHECKED
    approved = _act(net, "city_admin", batch, "approve")
    assert approved.status_code == 302
    batch.refresh_from_db()
    assert (batch.state, batch.approved_by) == (BatchState.APPROVED, net.users["city_admin"])
    page = staff.get(_url(batch)).content.decode()
    assert str(net.users["city_staff"]) in page and str(net.users["city_admin"]) in page
    assert "已复核" in page and "bank-file.xlsx" in page and "bank-file.csv" in page


def test_a_line_of_a_draft_batch_is_taken_out_with_its_reason(net: Network) -> None:
    people = _setup(net)
    batch = _generate(net)
    line = batch.lines.get(entitlement=people["c"])
    url = f"/benefits/batches/{batch.case_id}/take-out/"
    assert net.client("town_staff").post(url, {"line": line.pk, "reason": "核实中"}).status_code == 403
    assert net.client("auditor").post(url, {"line": line.pk, "reason": "核实中"}).status_code == 403
    no_reason = net.client("city_staff").post(url, {"line": line.pk, "reason": ""}, follow=True)
    assert not PaymentLine.objects.filter(reverses=line).exists()
    assert any("必填" in str(m) or "reason" in str(m) for m in no_reason.context["messages"])
    done = net.client("city_staff").post(url, {"line": line.pk, "reason": "核实中"}, follow=True)
    reversal = PaymentLine.objects.get(reverses=line)
    assert reversal.amount == -line.amount and reversal.reason == "核实中"
    assert "已撤出" in done.content.decode()
    assert line_totals(batch).total == Decimal("8000.00")
    summary = done.context["summary"]
    totals = astuple(line_totals(batch))[:2]
    assert (summary.by_program.count, summary.by_program.total) == (4, Decimal("8000.00")) == totals
    assert (summary.by_kind.count, summary.by_kind.total, summary.taken_out) == (4, Decimal("8000.00"), 1)
    # a line of a checked batch cannot be taken out
    _act(net, "city_staff", batch, "checked")
    other = batch.lines.get(entitlement=people["a"])
    late = net.client("city_staff").post(url, {"line": other.pk, "reason": "核实中"}, follow=True)
    assert not PaymentLine.objects.filter(reverses=other).exists()
    assert any("草稿" in str(m) or "待审核" in str(m) for m in late.context["messages"])


def test_the_bank_buttons_wait_for_the_approval(net: Network) -> None:
    _setup(net)
    batch = _generate(net)
    client = net.client("city_staff")
    early = client.get(f"/benefits/batches/{batch.case_id}/bank-file.xlsx", follow=True)
    assert early.redirect_chain[-1][0] == _url(batch)
    assert Batch.objects.get().state == BatchState.DRAFT
    assert client.get(f"/benefits/batches/{batch.case_id}/bank-file.pdf").status_code == 404
    upload = client.post(f"/benefits/batches/{batch.case_id}/return-file/", follow=True)
    assert upload.redirect_chain[-1][0] == _url(batch)
    assert net.client("auditor").get(f"/benefits/batches/{batch.case_id}/bank-file.xlsx").status_code == 403


def test_the_batch_page_is_the_bureaus(net: Network) -> None:
    _setup(net)
    batch = _generate(net)
    assert net.client("auditor").get(_url(batch)).status_code == 200
    assert net.client("town_staff").get(_url(batch)).status_code == 404  # a town does not see the city's batch
    assert net.client("liaison").get(_url(batch)).status_code == 403
    assert net.client("city_staff").post(_url(batch)).status_code == 405


# --- the figures ------------------------------------------------------------------------------------------------


def test_the_figures_are_the_sums_of_the_paid_lines(net: Network) -> None:
    _setup(net)
    batch = _paid_batch(net)
    paid = PaymentLine.objects.filter(batch=batch, outcome__outcome="paid")
    paid_total = paid.aggregate(s=Sum("amount"))["s"]
    assert paid.count() == 4 and paid_total < line_totals(batch).total  # one failed
    page = net.client("city_staff").get(f"/benefits/figures/?year={MONTH.year}")
    assert page.status_code == 200
    figures = page.context["figures"]
    for table in (figures.by_program, figures.by_town, figures.by_month):
        assert (table.count, table.total) == (4, paid_total)
    by_month = {r.label: r.amount for r in figures.by_month.rows}
    assert len(by_month) == 12
    for month in {line.period for line in paid}:
        assert by_month[f"{month:%Y-%m}"] == paid.filter(period=month).aggregate(s=Sum("amount"))["s"]
    towns = {r.label: r.amount for r in figures.by_town.rows}
    assert set(towns) <= {"当湖街道", "乍浦镇"}
    assert towns.get("乍浦镇", Decimal("0")) + towns.get("当湖街道", Decimal("0")) == paid_total
    assert "当湖街道" in page.content.decode()
    # a town sees its own lines only
    town = net.client("town_staff").get(f"/benefits/figures/?year={MONTH.year}").context["figures"]
    own = paid.filter(region_code__startswith="330482001").aggregate(s=Sum("amount"))["s"]
    assert town.by_program.total == own and {r.label for r in town.by_town.rows} == {"当湖街道"}
    # another year: nothing
    empty = net.client("city_staff").get(f"/benefits/figures/?year={MONTH.year - 1}").context["figures"]
    assert empty.by_program.total == 0 and empty.by_program.rows == []


def test_a_bad_year_is_said(net: Network) -> None:
    for junk in ("abc", "99999", "长" * 100):
        page = net.client("city_staff").get("/benefits/figures/", {"year": junk})
        assert page.status_code == 400 and page.context["year"] == timezone.localdate().year
    assert net.client("liaison").get("/benefits/figures/").status_code == 403
    assert net.client("village_staff").get("/benefits/figures/").status_code == 200


# --- the standards ----------------------------------------------------------------------------------------------


def test_the_standards_are_shown_in_force_and_in_history(net: Network) -> None:
    standard("disability", "2000.00", "2025-01-01", grade=6, cause="war")
    standard("disability", "2100.00", f"{MONTH:%Y-%m-01}", grade=6, cause="war")
    page = net.client("town_staff").get("/benefits/standards/")
    assert page.status_code == 200 and 'id="publish"' not in page.content.decode()
    disability = next(p for p in page.context["programs"] if p.program.code == "disability")
    assert [s.amount for s in disability.in_force] == [Decimal("2100.00")]
    assert [s.amount for s in disability.history] == [Decimal("2100.00"), Decimal("2000.00")]
    assert "因战" in page.content.decode()
    assert net.client("city_staff").post("/benefits/standards/", {}).status_code == 403


def test_a_back_dated_standard_is_published_from_the_page(net: Network) -> None:
    client = net.client("city_admin")
    page = client.get("/benefits/standards/").content.decode()
    assert 'id="publish"' in page and "补差" in page
    from benefits.tests.helpers import program

    form = {"program": program("disability").pk, "grade": "6", "cause": "war", "amount": "2200.00", "per": "month",
            "effective_from": f"{add_months(MONTH, -3):%Y-%m}", "document": "浙退役军人发〔2026〕1号"}  # fmt: skip
    done = client.post("/benefits/standards/", form, follow=True)
    published = Standard.objects.get()
    assert (published.amount, published.effective_from) == (Decimal("2200.00"), add_months(MONTH, -3))
    assert any("下一批次补发" in str(m) for m in done.context["messages"])
    no_grade = client.post("/benefits/standards/", {**form, "grade": ""})
    assert no_grade.status_code == 400, no_grade.status_code
    assert "grade" in no_grade.context["form"].errors, no_grade.context["form"].errors
    bad_month = client.post("/benefits/standards/", {**form, "effective_from": "2026-13"})
    assert bad_month.status_code == 400 and bad_month.context["form"].errors["effective_from"]
    bad_amount = client.post("/benefits/standards/", {**form, "amount": "0"})
    assert bad_amount.status_code == 400 and bad_amount.context["form"].errors["amount"]
    assert Standard.objects.count() == 1


# --- the overpayments -------------------------------------------------------------------------------------------


def _overpayment(net: Network) -> Overpayment:
    people = _setup(net, held=False)
    batch = _paid_batch(net)
    line = batch.lines.filter(entitlement=people["a"], outcome__outcome="paid").first() or batch.lines.get(
        entitlement=people["b"], period=MONTH
    )
    return Overpayment.objects.create(line=line, entitlement=line.entitlement, amount=line.amount,
                                      died_on=add_months(MONTH, -1) + dt.timedelta(days=3), source="殡葬信息",
                                      region_code=line.region_code)  # fmt: skip


def test_overpayments_are_listed_and_settled(net: Network) -> None:
    found = _overpayment(net)
    client = net.client("city_staff")
    page = client.get("/benefits/overpayments/")
    assert page.status_code == 200
    html = page.content.decode()
    assert found.entitlement.beneficiary_name in html and "待追回" in html and "settle" in html
    no_note = client.post("/benefits/overpayments/", {"overpayment": found.pk, "state": "waived",
                                                      "settled_on": f"{timezone.localdate()}"})  # fmt: skip
    assert no_note.status_code == 400
    row = next(r for r in no_note.context["rows"] if r.pk == found.pk)
    assert row.settle_form.errors["note"]
    done = client.post("/benefits/overpayments/", {"overpayment": found.pk, "state": "recovered",
                                                   "settled_on": f"{timezone.localdate()}"}, follow=True)  # fmt: skip
    found.refresh_from_db()
    assert found.state == "recovered"
    assert any("已追回" in str(m) for m in done.context["messages"])
    assert client.get("/benefits/overpayments/?state=open").context["rows"] == []
    assert len(client.get("/benefits/overpayments/?state=recovered").context["rows"]) == 1
    assert client.get("/benefits/overpayments/?state=junk").status_code == 400


def test_overpayments_are_settled_by_the_bureau_only(net: Network) -> None:
    found = _overpayment(net)
    data = {"overpayment": found.pk, "state": "recovered", "settled_on": f"{timezone.localdate()}"}
    assert net.client("town_staff").post("/benefits/overpayments/", data).status_code == 403
    visible = net.client("town_staff" if found.region_code.startswith("330482001") else "other_town_staff")
    page = visible.get("/benefits/overpayments/")
    assert page.status_code == 200 and [r.pk for r in page.context["rows"]] == [found.pk]
    assert "settle" not in page.content.decode().replace("settled", "")
    hidden = net.client("other_town_staff" if found.region_code.startswith("330482001") else "town_staff")
    assert hidden.get("/benefits/overpayments/").context["rows"] == []
    gone = net.client("city_staff").post("/benefits/overpayments/", {**data, "overpayment": found.pk + 1000})
    assert gone.status_code == 400
    found.refresh_from_db()
    assert found.state == "open"


def test_the_figures_download_as_csv_with_the_same_totals(net: Network) -> None:
    _setup(net)
    batch = _paid_batch(net)
    paid_total = PaymentLine.objects.filter(batch=batch, outcome__outcome="paid").aggregate(s=Sum("amount"))["s"]
    answer = net.client("city_staff").get(f"/benefits/figures.csv?year={MONTH.year}")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    text = answer.content.decode("utf-8-sig")
    totals = [line for line in text.splitlines() if line.startswith("合计")]
    assert totals == [f"合计,4,{paid_total:.2f}"] * 3
    assert "残疾抚恤金" in text and "当湖街道" in text
    bad = net.client("city_staff").get("/benefits/figures.csv?year=abc")
    assert bad.status_code == 302
    assert net.client("liaison").get("/benefits/figures.csv").status_code == 403
