"""The annual report: its figures are the cockpit's cells (a calendar year's, or twelve months summed), money in
万元 with four decimals; a line whose indicator is not declared, or that no register holds, says "not recorded";
the PDF embeds its font and carries the figures, the xlsx holds them exactly; each download is audited; an area
outside the caller's is refused (400), on the page, the files and the API.

The network's and the payments' indicators are declared here by stand-ins with known answers (and the declared
ones put back after), so the report is tested whatever those modules declare."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from io import StringIO
from typing import Any

import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.utils import timezone, translation

from accounts.testing import Network
from audit.models import AuditEntry
from cockpit import build, kit, selectors
from cockpit.kit import Dim, Indicator, Measure, Period
from cockpit.models import Built
from cockpit.report import LINES, annual_report, parse_year
from regions.demo import CITY_CODE
from regions.models import Designation, GridLeaderTerm, Level, Region, Station, StationDesignation
from veterans.models import Veteran
from veterans.tests.factories import register, years_before

pytestmark = pytest.mark.django_db

PAID = Decimal("12345.67")  # what each stand-in veteran is "paid" in the stand-in payments
#: the stand-in payments' programs (by the veterans' discharge type)
PROGRAMS = {"discharged": "残疾抚恤金"}


def stand_ins() -> list[Indicator]:
    each = Sum(Value(PAID, output_field=DecimalField(max_digits=12, decimal_places=2)))
    return [
        Indicator(key="network.grids", group="network", name="grids", region="code",
                  source=lambda: Region.objects.filter(level=Level.GRID),
                  measures=(Measure("grids", "grids", Count("id")),)),
        Indicator(key="network.leaders", group="network", name="leaders", region="grid__code",
                  source=lambda: GridLeaderTerm.objects.all(),
                  measures=(Measure("appointed", "appointed", Count("id")),
                            Measure("in_office", "in office", Count("id", filter=Q(end_date__isnull=True))))),
        Indicator(key="network.stations", group="network", name="stations", region="station__region__code",
                  source=lambda: StationDesignation.objects.all(),
                  measures=(Measure("stations", "stations", Count("id")),),
                  dims=(Dim("designation", "designation", "designation", dict(Designation.choices)),)),
        Indicator(key="benefits.paid", group="benefits", name="paid", source=lambda: Veteran.objects.all(),
                  measures=(Measure("amount", "amount", each, money=True),), period=Period("month", "discharged_on"),
                  dims=(Dim("program", "program", "discharge_type", lambda: PROGRAMS),)),
        Indicator(key="veterans.disabled_new", group="veterans", name="certificates",
                  source=lambda: Veteran.objects.all(),
                  measures=(Measure("count", "certificates", Count("id")),), period=Period("month", "discharged_on")),
    ]  # fmt: skip


@pytest.fixture
def declared() -> Iterator[None]:
    saved = dict(kit.INDICATORS)
    for indicator in stand_ins():
        kit.declare(indicator)
    yield
    kit.INDICATORS.clear()
    kit.INDICATORS.update(saved)


def party_veteran(net: Network, region: Any, discharged: str, *, party: bool = True) -> Any:
    veteran = register(net.users["city_staff"], region, discharged_on=discharged)
    if party:  # joined 51 years ago
        joined = years_before(timezone.localdate(), 51)
        Veteran.objects.filter(pk=veteran.pk).update(political_status="party_member", party_joined_on=joined)
    return veteran


@pytest.fixture
def seeded(net: Network, declared: None) -> Network:
    """当湖 (its grid): three veterans, two of them 51 years in the Party, discharged 2024-12, 2025-03, 2025-11;
    乍浦 (its grid): one, in the Party, discharged 2025-06. A leader in office at each grid and one who handed
    over; a national model station (the city's) and two provincial Fengqiao ones in 当湖."""
    party_veteran(net, net.grid, "2024-12")
    party_veteran(net, net.grid, "2025-03")
    party_veteran(net, net.grid, "2025-11", party=False)
    party_veteran(net, net.other_grid, "2025-06")
    day = dt.date(2024, 1, 1)
    GridLeaderTerm.objects.create(grid=net.grid, leader_name="王一", start_date=day, end_date=dt.date(2025, 1, 1))
    GridLeaderTerm.objects.create(grid=net.grid, leader_name="李二", start_date=dt.date(2025, 1, 2))
    GridLeaderTerm.objects.create(grid=net.other_grid, leader_name="赵三", start_date=day)
    for region, designation in ((net.city, Designation.NATIONAL_MODEL), (net.danghu, Designation.PROVINCIAL_FENGQIAO),
                                (net.village, Designation.PROVINCIAL_FENGQIAO)):  # fmt: skip
        StationDesignation.objects.create(
            station=Station.objects.get(region=region), designation=designation, year=2025
        )
    build.rebuild()
    return net


def shown(report: Any) -> dict[str, str]:
    return {f.line.key: f.shown for f in report.figures}


def test_the_report_s_figures_are_the_cockpit_s_for_a_calendar_year(seeded: Network) -> None:
    report = annual_report(seeded.city, parse_year("2025"))
    assert shown(report) == {
        "grids": "2", "leaders": "3", "national_model": "1", "provincial_fengqiao": "2",
        "pensions": "3.7037",  # three paid in 2025: 37,037.01 元
        "medical": "", "party50": "3", "disabled_new": "3",
        "units_commended": "", "people_commended": "", "association": "",
    }  # fmt: skip
    pensions = next(f for f in report.figures if f.line.key == "pensions")
    assert pensions.value == 3 * PAID and pensions.period == "2025"
    cockpit = {
        f.indicator.key: f for f in selectors.overview(seeded.city, "2025", ["benefits.paid", "veterans.living"])
    }
    assert cockpit["benefits.paid"].measure("amount") == pensions.value
    assert cockpit["veterans.living"].measure("party50") == 3
    # a town's report is its own area's
    town = shown(annual_report(seeded.danghu, parse_year("2025")))
    assert (town["grids"], town["leaders"], town["national_model"], town["provincial_fengqiao"], town["pensions"],
            town["party50"]) == ("1", "2", "0", "2", "2.4691", "2")  # fmt: skip


def test_a_twelve_month_year_sums_its_months(seeded: Network) -> None:
    span = parse_year("2025-11")
    assert span.months[0] == "2024-12" and span.months[-1] == "2025-11" and len(span.months) == 12
    report = annual_report(seeded.city, span)
    figures = shown(report)
    assert figures["pensions"] == "4.9383" and figures["disabled_new"] == "4"  # 49,382.68 元: 4.938268 万元
    assert report.title == "平湖市2024年12月至2025年11月退役军人工作数据"


def test_what_the_platform_does_not_record_says_so(seeded: Network) -> None:
    kit.INDICATORS.pop("veterans.disabled_new")
    report = {f.line.key: f for f in annual_report(seeded.city, parse_year("2025")).figures}
    with translation.override("en"):
        assert report["disabled_new"].value is None and "no indicator" in str(report["disabled_new"].note)
        assert report["medical"].value is None and "medical insurance" in str(report["medical"].note)
        assert report["association"].value is None and "no register" in str(report["association"].note)


def test_a_program_of_medical_subsidies_is_reported_when_benefits_has_one(seeded: Network, monkeypatch: Any) -> None:
    monkeypatch.setitem(PROGRAMS, "discharged", "医疗补助")
    figure = next(f for f in annual_report(seeded.city, parse_year("2025")).figures if f.line.key == "medical")
    assert figure.shown == "3.7037" and figure.dim_key == "discharged"


def test_a_module_that_counts_a_figure_as_a_measure_of_its_own_is_read_too(seeded: Network) -> None:
    designated = StationDesignation.objects.filter(station_id=OuterRef("pk"))
    kit.declare(Indicator(
        key="network.stations", group="network", name="stations", source=lambda: Station.objects.all(),
        region="region__code",
        measures=(Measure("count", "stations", Count("id")),
                  Measure("national_model", "national", Count("id", filter=Q(Exists(designated.filter(
                      designation=Designation.NATIONAL_MODEL))))),
                  Measure("provincial_fengqiao", "fengqiao", Count("id", filter=Q(Exists(designated.filter(
                      designation=Designation.PROVINCIAL_FENGQIAO)))))),
    ))  # fmt: skip
    grids = kit.INDICATORS["network.grids"]
    kit.declare(replace(grids, measures=(Measure("count", "grids", Count("id")),)))
    build.rebuild(["network.stations", "network.grids"])
    figures = shown(annual_report(seeded.city, parse_year("2025")))
    assert (figures["grids"], figures["national_model"], figures["provincial_fengqiao"]) == ("2", "1", "2")


@pytest.mark.parametrize("bad", ["2026-13", "26", "1999", "2026Q1", "x" * 7])
def test_a_bad_year_is_refused(net: Network, bad: str) -> None:
    client = net.client("city_staff")
    page = client.get("/cockpit/report/", {"year": bad})
    assert page.status_code == 400 and "2026-11" in page.content.decode()
    assert client.get("/cockpit/report/report.pdf", {"year": bad}).status_code == 400
    api = client.get("/api/v1/cockpit/report", {"year": bad})
    assert api.status_code == 400 and "bad_year" in api.content.decode()


def test_a_town_cannot_have_another_town_s_report(seeded: Network) -> None:
    client = seeded.client("town_staff")
    other = {"year": "2025", "region": seeded.zhapu.code}
    for url in ("/cockpit/report/", "/cockpit/report/report.pdf", "/cockpit/report/report.xlsx"):
        assert client.get(url, other).status_code == 400, url
    api = client.get("/api/v1/cockpit/report", other)
    assert api.status_code == 400 and "unknown_region" in api.content.decode()
    assert not AuditEntry.objects.filter(action="cockpit.report_download").exists()
    # its own: the town's figures
    mine = client.get("/api/v1/cockpit/report", {"year": "2025"}).json()
    assert mine["area"]["code"] == seeded.danghu.code
    assert {line["key"]: line["shown"] for line in mine["lines"]}["party50"] == "2"


def test_who_may_not_open_it(seeded: Network) -> None:
    assert seeded.client("city_staff").post("/cockpit/report/").status_code == 405
    assert seeded.client("veteran").get("/cockpit/report/").status_code == 403
    anonymous = seeded.client("city_staff")
    anonymous.logout()
    assert anonymous.get("/cockpit/report/report.pdf").status_code == 302


def pdf_fonts(data: bytes) -> list[Any]:
    fonts = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.append(font.get_object())
    return fonts


def test_the_pdf_embeds_its_font_and_carries_the_figures(seeded: Network) -> None:
    response = seeded.client("city_staff").get("/cockpit/report/report.pdf", {"year": "2025"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    fonts = pdf_fonts(data)
    assert fonts and all("/FontFile2" in f["/FontDescriptor"] for f in fonts if "/FontDescriptor" in f)
    assert any("/FontDescriptor" in f for f in fonts)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    for words in ("平湖市2025年退役军人工作数据", "3.7037", "万元", "50年以上党龄的退役军人", "平台未记录", "数据截至"):
        assert words in text, words
    entry = AuditEntry.objects.get(action="cockpit.report_download")
    assert entry.region_code == seeded.city.code and entry.after["format"] == "pdf"
    assert entry.actor_username == "city_staff"


def test_the_xlsx_holds_the_figures_exactly(seeded: Network) -> None:
    response = seeded.client("city_staff").get("/cockpit/report/report.xlsx", {"year": "2025-11"})
    assert response.status_code == 200
    assert "report-330482000000-2025-11.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "平湖市2024年12月至2025年11月退役军人工作数据"
    assert rows[1][:3] == ["范围", "平湖市", "330482000000"]
    assert rows[4] == ["项目", "数值", "单位", "统计期间", "备注", "金额（元）"]
    lines = {row[0]: row for row in rows[5:16]}
    span = "2024年12月至2025年11月"
    assert lines["“老兵壹家”服务网格"][:4] == ["“老兵壹家”服务网格", 2, "个", "当前"]
    assert lines["已聘任“老兵壹家”班长（轮值站长）"][1] == 3
    assert lines["全国示范型退役军人服务中心（站）"][1] == 1
    assert lines["省“新时代”枫桥式退役军人服务中心（站）"][1] == 2
    pensions = lines["发放各类抚恤补助"]
    assert pensions[1:4] == [pytest.approx(4.9383), "万元", span]
    assert Decimal(str(pensions[1])) == Decimal("4.9383") and Decimal(str(pensions[5])) == 4 * PAID
    assert sheet.cell(10, 2).number_format == "0.0000"
    assert lines["50年以上党龄的退役军人"][1:4] == [3, "名", "当前"]
    assert lines["制发新版残疾军人证"][1:4] == [4, "名", span]
    assert lines["医疗补助审批发放"][1:5] == [None, None, None, "平台未记录（由医保部门结算发放）"]
    assert lines["民营企业拥军协会成员单位"][4] == "平台未记录（尚无相应台账）"
    assert any(str(row[0]).startswith("数据截至") for row in rows[16:])
    assert AuditEntry.objects.filter(action="cockpit.report_download", after__format="xlsx").count() == 1


def test_the_page_shows_the_report_with_its_downloads(seeded: Network) -> None:
    page = seeded.client("city_staff").get("/cockpit/report/", {"year": "2025", "region": seeded.danghu.code})
    html = page.content.decode()
    assert page.status_code == 200
    assert "当湖街道2025年退役军人工作数据" in html and "2.4691" in html
    assert f"report.pdf?year=2025&amp;region={seeded.danghu.code}" in html
    assert not AuditEntry.objects.filter(action="cockpit.report_download").exists()  # a page is not a download


def test_the_demo_ends_with_a_rebuild_and_its_report_has_the_seed_page_s_network(declared: None) -> None:
    call_command("demo", "--veterans", "3", stdout=StringIO())
    assert set(Built.objects.values_list("indicator", flat=True)) == set(kit.INDICATORS)
    city = Region.objects.get(code=CITY_CODE)
    figures = shown(annual_report(city, parse_year("2026-11")))
    published = {line.key: line.published for line in LINES}
    for key in ("grids", "leaders", "national_model", "provincial_fengqiao"):
        assert figures[key] == published[key], key
