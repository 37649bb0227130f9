"""The data migrations that moved petitions' and 一件事 cases' facts off Case.data onto typed columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.testing_db import migrate_apps
from core.testing_db import migrated_back as migrated_back_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("petitions", "0001_initial"), ("cases", "0002_seed_templates")]
AFTER = [("petitions", "0003_choices"), ("cases", "0004_choices")]


@pytest.fixture
def migrated_back() -> Any:
    with migrated_back_to(BEFORE) as apps:
        yield apps


def test_a_petitions_and_a_cases_json_facts_land_in_their_columns_and_back(migrated_back: Any) -> None:
    old = migrated_back
    Region = old.get_model("regions", "Region")
    User = old.get_model("accounts", "User")
    Case = old.get_model("workflow", "Case")
    Petition = old.get_model("petitions", "Petition")
    LifeCase = old.get_model("cases", "LifeCase")
    CaseTemplate = old.get_model("cases", "CaseTemplate")
    city = Region.objects.create(code="330482000000", name="平湖市", level="city", prefix="330482")
    user = User.objects.create(username="migrator", role="city_staff", scope_region=city)
    data = {
        "dates": {"received": "2026-11-02", "accepted": "2026-11-03"},
        "registrar": {"unit": "330482001000", "role": "town_staff"},
        "handler": {"unit": "330482000000", "department": "police", "role": "liaison"},
        "opinion": "partial",
        "reply": "已答复。",
        "extension_request": {"days": 20, "reason": "情况复杂", "approved": True},
        "extension_days": 20,
    }
    case = Case.objects.create(process="petition", number="XF2026000001", title="t", region_code="330482001001",
                               owner_code="330482000000", data=data, created_by=user)  # fmt: skip
    Petition.objects.create(case=case, channel="visit", received_on=dt.date(2026, 11, 2), petitioner_name="李",
                            subject="benefits", content="内容")  # fmt: skip
    life_case = Case.objects.create(
        process="life_event", number="YJS2026000001", title="t", region_code="330482001001", owner_code="330482001000",
        data={"dates": {"opened": "2026-11-02", "statutory_due": "2026-12-15"}, "tasks": [{"key": "t1"}],
              "stage": "reporting", "owner_role": "town_staff"}, created_by=user,
    )  # fmt: skip
    template, _created = CaseTemplate.objects.get_or_create(
        stage="reporting", defaults={"name": "退役报到", "limit_days": 30}
    )
    LifeCase.objects.create(case=life_case, template=template, stage="reporting")

    new = migrate_apps(AFTER)
    petition = new.get_model("petitions", "Petition").objects.get()
    assert (petition.region_code, petition.registrar_unit, petition.registrar_role) == (
        "330482001001",
        "330482001000",
        "town_staff",
    )
    assert (petition.handler_unit, petition.handler_department, petition.handler_role) == (
        "330482000000",
        "police",
        "liaison",
    )
    assert (petition.decision, petition.reply) == ("partial", "已答复。")
    assert (petition.extension_days, petition.extension_reason, petition.extension_approved) == (20, "情况复杂", True)
    moved = new.get_model("workflow", "Case").objects.get(pk=case.pk).data
    assert moved == {"dates": data["dates"], "extension_days": 20}
    life = new.get_model("cases", "LifeCase").objects.get()
    assert (life.region_code, life.task_specs, life.statutory_due) == (
        "330482001001",
        [{"key": "t1"}],
        dt.date(2026, 12, 15),
    )
    assert new.get_model("workflow", "Case").objects.get(pk=life_case.pk).data == {
        "dates": {"opened": "2026-11-02"}, "owner_role": "town_staff"
    }  # fmt: skip

    back = migrate_apps(BEFORE)
    assert back.get_model("workflow", "Case").objects.get(pk=case.pk).data["handler"]["department"] == "police"
    assert (
        back.get_model("workflow", "Case").objects.get(pk=life_case.pk).data["dates"]["statutory_due"] == "2026-12-15"
    )
    migrate_apps(AFTER)
