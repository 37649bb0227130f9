"""The cockpit's API: an area's indicators with their as-of time, one indicator broken down one level, and the
user's scope as the root (another town's figures are refused, by region code, for every operation)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.testing import Network

pytestmark = pytest.mark.django_db

URL = "/api/v1/cockpit/indicators"


def living(answer: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in answer["indicators"] if i["key"] == "veterans.living")


def test_the_city_sees_its_figures_with_their_time(seeded: Network) -> None:
    answer = seeded.client("city_staff").get(URL).json()
    assert answer["area"]["code"] == seeded.city.code and answer["as_of"]
    figure = living(answer)
    assert float(figure["value"]) == 4
    assert figure["measures"][0]["key"] == "count" and figure["measures"][0]["label"]
    assert "region" in figure["breakdowns"] and "age" in figure["breakdowns"]
    quality = next(i for i in answer["indicators"] if i["key"] == "veterans.quality")
    assert quality["rate"] is True


def test_a_breakdown_by_area_by_dimension_and_by_period(seeded: Network) -> None:
    client = seeded.client("city_staff")
    by_area = client.get(f"{URL}/veterans.living", {"by": "region"}).json()
    rows = {r["key"]: r for r in by_area["rows"]}
    assert float(rows[seeded.danghu.code]["value"]) == 3 and float(rows[seeded.zhapu.code]["value"]) == 1
    assert rows[seeded.danghu.code]["deeper"] is True
    assert rows[seeded.danghu.code]["records"].startswith("/veterans/?region=330482001000")
    by_gender = client.get(f"{URL}/veterans.living", {"by": "gender", "region": seeded.danghu.code}).json()
    assert sum(float(r["value"]) for r in by_gender["rows"]) == 3
    assert all(r["label"] not in ("M", "F") for r in by_gender["rows"])  # names, not codes
    months = client.get(f"{URL}/veterans.arrivals", {"by": "period"}).json()
    assert all(len(r["key"]) == 7 for r in months["rows"])


def test_a_town_user_starts_at_their_town_and_cannot_reach_another(seeded: Network) -> None:
    client = seeded.client("town_staff")
    answer = client.get(URL).json()
    assert answer["area"]["code"] == seeded.danghu.code and float(living(answer)["value"]) == 3
    for url, params in ((URL, {}), (f"{URL}/veterans.living", {}), (f"{URL}/veterans.living", {"by": "age"})):
        refused = client.get(url, {**params, "region": seeded.zhapu.code})
        assert refused.status_code == 400, (url, refused.content)
        assert "unknown_region" in refused.content.decode()
    # the city above it is not theirs either
    assert client.get(URL, {"region": seeded.city.code}).status_code == 400
    village = seeded.client("village_staff").get(URL).json()
    assert village["area"]["code"] == seeded.village.code and float(living(village)["value"]) == 3


def test_bad_inputs_are_refused_with_a_message(seeded: Network) -> None:
    client = seeded.client("city_staff")
    assert client.get(f"{URL}/no.such").status_code == 404
    bad_by = client.get(f"{URL}/veterans.living", {"by": "shoe_size"})
    assert bad_by.status_code == 400 and "bad_breakdown" in bad_by.content.decode()
    not_by_period = client.get(f"{URL}/veterans.living", {"by": "period"})
    assert not_by_period.status_code == 400
    for period in ("2026-13", "20261", "2026Q0"):
        answer = client.get(URL, {"period": period})
        assert answer.status_code == 400 and "bad_period" in answer.content.decode()


def test_roles_without_the_cockpit_are_refused(seeded: Network) -> None:
    for role in ("grid_leader", "veteran", "employer"):
        assert seeded.client(role).get(URL).status_code == 403


def test_the_api_reads_the_cells_never_the_registers(seeded: Network) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = seeded.client("city_staff")
    client.get(URL)  # the session's first read
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
        assert client.get(f"{URL}/veterans.living", {"by": "age"}).status_code == 200
        assert client.get(f"{URL}/veterans.living", {"by": "region"}).status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "cockpit_cell" in tables
    for register in ("veterans_veteran", "veterans_veterancategory", "points_", "benefits_", "care_", "workflow_"):
        assert register not in tables, register


def test_the_rebuild_command_names_each_indicator_and_refuses_an_unknown_one(seeded: Network) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("cockpit_rebuild", "veterans.living", stdout=out)
    assert "veterans.living" in out.getvalue() and "1 indicators" in out.getvalue()
    with pytest.raises(CommandError, match=r"no\.such"):
        call_command("cockpit_rebuild", "no.such")
