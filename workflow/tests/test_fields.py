"""Field kinds: each kind's good and bad values, through the engine, the task page's form and the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError

from accounts.roles import Role
from accounts.testing import Network
from audit.models import AuditEntry
from regions.models import Level, ancestor_code
from veterans.models import Veteran
from veterans.tests.factories import register as register_veteran
from workflow.fields import KINDS, FieldKind, clean_inputs, register_kind, unknown_kinds
from workflow.models import Attachment, Case, Task
from workflow.process import PROCESSES, Action, Context, Field, Move, Process, Step, register
from workflow.services import act, open_case

pytestmark = pytest.mark.django_db

#: what the effect of the test process received, action by action
RECEIVED: list[dict[str, Any]] = []

FIELDS = (
    Field("text", "说明", "text"),
    Field("count", "份数", "int", max_value=10),
    Field("amount", "金额", "money", max_value=200_000),
    Field("day", "日期", "date"),
    Field("choice", "选项", "choice", (("a", "甲"), ("b", "乙"))),
    Field("unit", "承办单位", "unit"),
    Field("department", "部门", "department"),
    Field("veteran", "退役军人", "veteran"),
    Field("file", "附件", "file"),
    Field("remark", "备注", "text", required=False),
)


def town(case: Case) -> tuple[str, str]:
    return ancestor_code(case.region_code, Level.TOWN), ""


def keep(ctx: Context) -> None:
    RECEIVED.append(dict(ctx.data))


@pytest.fixture
def kinds_process() -> Iterator[Process]:
    process = register(
        Process(
            key="test_kinds",
            label="各类输入",
            prefix="TK",
            owner_role=Role.TOWN_STAFF,
            view_capability="cases.view",
            open_capability="cases.open",
            steps=(
                Step("fill", "填写", Role.TOWN_STAFF, town, actions=(
                    Action("save", "保存", Move.FORWARD, to="end", fields=FIELDS, effect=keep),
                )),
                Step("end", "办结", Role.TOWN_STAFF, town, actions=(Action("close", "办结", Move.CLOSE),)),
            ),
        )
    )  # fmt: skip
    RECEIVED.clear()
    yield process
    PROCESSES.pop("test_kinds")


@pytest.fixture
def case(net: Network, kinds_process: Process) -> Case:
    return open_case(
        actor=net.users["town_staff"],
        process=kinds_process,
        title="输入检查",
        region_code=net.village.code,
        owner_code=net.danghu.code,
    )


def attach(case: Case, net: Network, name: str = "证明.pdf") -> Attachment:
    return Attachment.objects.create(
        case=case, name=name, stored_path="x", size=1, sha256="0" * 64, content_type="application/pdf",
        uploaded_by=net.users["town_staff"],
    )  # fmt: skip


@pytest.fixture
def world(net: Network, case: Case) -> dict[str, Any]:
    """The good values of every field, and the neighbours' records the bad values point at."""
    vet = register_veteran(net.users["town_staff"], net.grid, name="张三丽")
    other_vet = register_veteran(net.users["other_town_staff"], net.other_village, name="海上人")
    other_case = open_case(actor=net.users["town_staff"], process=case_process(case), title="另一件",
                           region_code=net.village.code, owner_code=net.danghu.code)  # fmt: skip
    good = {
        "text": "  材料齐全  ", "count": "7", "amount": "1280.50", "day": "2026-11-02", "choice": "b",
        "unit": net.danghu.code, "department": "police", "veteran": str(vet.pk), "file": str(attach(case, net).pk),
    }  # fmt: skip
    return {
        "good": good,
        "vet": vet,
        "<other_vet>": str(other_vet.pk),
        "<other_file>": str(attach(other_case, net, "别人的.pdf").pk),
        "<village>": net.village.code,
        "<missing_vet>": str(Veteran.objects.order_by("-pk").first().pk + 1000),  # type: ignore[union-attr]
    }


def case_process(case: Case) -> Process:
    return PROCESSES[case.process]


def fill_task(case: Case) -> Task:
    return case.tasks.get(step="fill", status=Task.Status.OPEN)


def resolve(world: dict[str, Any], value: Any) -> Any:
    return world.get(value, value) if isinstance(value, str) else value


# --- through the engine ---------------------------------------------------------------------------


def test_every_kind_hands_the_effect_its_cleaned_value_and_the_audit_a_plain_one(
    net: Network, case: Case, world: dict[str, Any]
) -> None:
    act(actor=net.users["town_staff"], task=fill_task(case), action="save", data={**world["good"], "extra": "x"})
    assert [{
        "text": "材料齐全", "count": 7, "amount": 128050, "day": dt.date(2026, 11, 2), "choice": "b",
        "unit": net.danghu.code, "department": "police", "veteran": world["vet"].pk,
        "file": int(world["good"]["file"]), "remark": None,
    }] == RECEIVED  # fmt: skip
    after = AuditEntry.objects.get(action="test_kinds.save").after
    assert after["amount"] == 128050 and after["day"] == "2026-11-02" and "remark" not in after
    assert "extra" not in after  # what the action does not declare never reaches the check, effect or audit


@pytest.mark.parametrize(
    ("value", "fen"),
    [("0", 0), ("12", 1200), ("12.3", 1230), ("2000.00", 200_000), (12.5, 1250), (7, 700), (" 0.01 ", 1)],
)
def test_money_is_kept_in_whole_fen(net: Network, case: Case, world: dict[str, Any], value: Any, fen: int) -> None:
    act(actor=net.users["town_staff"], task=fill_task(case), action="save", data={**world["good"], "amount": value})
    assert RECEIVED[-1]["amount"] == fen


#: (field, bad value, code): each refused at its field, whatever else is right
BAD = [
    ("text", "长" * 201, "too_long"),
    ("text", 5, "not_text"),
    ("text", "a\x00b", "not_text"),
    ("text", "   ", "required"),
    ("count", "7.5", "not_int"),
    ("count", "七", "not_int"),
    ("count", True, "not_int"),
    ("count", 11, "out_of_range"),
    ("count", "9" * 400, "not_int"),
    ("amount", 0.1 + 0.2, "not_money"),  # 0.30000000000000004: a float's artefact is not a price
    ("amount", "12.345", "not_money"),
    ("amount", "1e3", "not_money"),
    ("amount", "NaN", "not_money"),
    ("amount", "-1", "negative"),
    ("amount", -0.5, "negative"),
    ("amount", "2000.01", "too_much"),
    ("amount", True, "not_money"),
    ("amount", ["12"], "not_money"),
    ("day", "2026-02-30", "not_date"),
    ("day", "02/11/2026", "not_date"),
    ("day", 20261102, "not_date"),
    ("choice", "c", "bad_choice"),
    ("choice", ["a"], "bad_choice"),
    ("unit", "<village>", "bad_unit"),  # a village is not a unit work is assigned to
    ("unit", "330481001000", "bad_unit"),  # another city's town
    ("unit", {"code": "x"}, "bad_unit"),
    ("department", "army", "bad_department"),
    ("veteran", "<other_vet>", "bad_veteran"),  # outside the actor's town: as if it did not exist
    ("veteran", "<missing_vet>", "bad_veteran"),
    ("veteran", "abc", "bad_veteran"),
    ("file", "<other_file>", "bad_file"),  # another case's attachment
    ("file", "abc", "bad_file"),
    ("file", None, "required"),
]


@pytest.mark.parametrize(("name", "value", "code"), BAD, ids=[f"{n}-{c}-{i}" for i, (n, _v, c) in enumerate(BAD)])
def test_a_bad_value_is_refused_at_its_field_and_nothing_moves(
    net: Network, case: Case, world: dict[str, Any], name: str, value: Any, code: str
) -> None:
    task = fill_task(case)
    with pytest.raises(ValidationError) as refused:
        act(
            actor=net.users["town_staff"], task=task, action="save", data={**world["good"], name: resolve(world, value)}
        )
    assert list(refused.value.error_dict) == [name]
    assert refused.value.error_dict[name][0].code == code
    task.refresh_from_db()
    assert task.is_open and RECEIVED == []


def test_every_bad_field_is_named_at_once(net: Network, case: Case, world: dict[str, Any]) -> None:
    data = {**world["good"], "count": "x", "amount": "-3", "day": "昨天"}
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["town_staff"], task=fill_task(case), action="save", data=data)
    assert set(refused.value.error_dict) == {"count", "amount", "day"}


# --- through the page ------------------------------------------------------------------------------


def page_data(task: Task, values: dict[str, Any]) -> dict[str, Any]:
    return {"action": "save", **{f"t{task.pk}-save-{k}": v for k, v in values.items()}}


def test_the_page_form_has_each_kinds_input(net: Network, case: Case, world: dict[str, Any]) -> None:
    task = fill_task(case)
    page = net.client("town_staff").get(f"/tasks/{task.pk}/")
    form = next(f for f in page.context["forms"] if f.spec.key == "save")
    assert isinstance(form.fields["amount"], forms.DecimalField)
    assert isinstance(form.fields["day"], forms.DateField)
    assert isinstance(form.fields["count"], forms.IntegerField)
    assert (net.danghu.code, net.danghu.name) in form.fields["unit"].choices
    assert (net.village.code, net.village.name) not in form.fields["unit"].choices
    assert (world["good"]["file"], "证明.pdf") in form.fields["file"].choices
    assert "police" in dict(form.fields["department"].choices)
    assert not form.fields["remark"].required


def test_the_page_form_acts_with_good_values(net: Network, case: Case, world: dict[str, Any]) -> None:
    task = fill_task(case)
    response = net.client("town_staff").post(f"/tasks/{task.pk}/act/", page_data(task, world["good"]))
    assert response.status_code == 302
    assert RECEIVED[0]["amount"] == 128050 and RECEIVED[0]["day"] == dt.date(2026, 11, 2)


#: what a person can type into the page that is wrong, field by field
PAGE_BAD = [
    ("text", "长" * 201), ("count", "7.5"), ("count", "11"), ("amount", "12.345"), ("amount", "-1"),
    ("amount", "2000.01"), ("amount", "abc"), ("day", "2026-02-30"), ("choice", "c"), ("unit", "<village>"),
    ("department", "army"), ("veteran", "<other_vet>"), ("veteran", "abc"), ("file", "<other_file>"), ("file", ""),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value"), PAGE_BAD, ids=[f"{n}-{i}" for i, (n, _v) in enumerate(PAGE_BAD)])
def test_the_page_shows_a_bad_value_at_its_field(
    net: Network, case: Case, world: dict[str, Any], name: str, value: str
) -> None:
    task = fill_task(case)
    data = page_data(task, {**world["good"], name: resolve(world, value)})
    response = net.client("town_staff").post(f"/tasks/{task.pk}/act/", data)
    assert response.status_code == 400
    form = next(f for f in response.context["forms"] if f.spec.key == "save")
    assert list(form.errors) == [name]
    task.refresh_from_db()
    assert task.is_open and RECEIVED == []


# --- through the API -------------------------------------------------------------------------------


def post_act(net: Network, task: Task, data: dict[str, Any]) -> Any:
    return net.client("town_staff").post(
        f"/api/v1/tasks/{task.pk}/act", json.dumps({"action": "save", "data": data}), content_type="application/json"
    )


def test_the_api_lists_the_fields_with_the_values_their_kinds_offer(
    net: Network, case: Case, world: dict[str, Any]
) -> None:
    task = fill_task(case)
    body = net.client("town_staff").get(f"/api/v1/tasks/{task.pk}").json()
    fields = {f["name"]: f for f in body["actions"][0]["fields"]}
    assert fields["amount"]["kind"] == "money" and fields["amount"]["choices"] == []
    assert net.danghu.code in fields["unit"]["choices"] and net.village.code not in fields["unit"]["choices"]
    assert fields["file"]["choices"] == [world["good"]["file"]]
    assert "police" in fields["department"]["choices"]


def test_the_api_acts_with_good_values(net: Network, case: Case, world: dict[str, Any]) -> None:
    task = fill_task(case)
    response = post_act(net, task, {**world["good"], "amount": 99.99, "count": 3})
    assert response.status_code == 200, response.content
    assert RECEIVED[0]["amount"] == 9999 and RECEIVED[0]["count"] == 3


@pytest.mark.parametrize(("name", "value", "code"), BAD, ids=[f"{n}-{c}-{i}" for i, (n, _v, c) in enumerate(BAD)])
def test_the_api_answers_a_bad_value_at_its_field_in_both_languages(
    net: Network, case: Case, world: dict[str, Any], name: str, value: Any, code: str
) -> None:
    task = fill_task(case)
    response = post_act(net, task, {**world["good"], name: resolve(world, value)})
    assert response.status_code == 400
    error = response.json()["error"]
    assert [(f["field"], f["code"]) for f in error["fields"]] == [(name, code)]
    first = error["fields"][0]
    assert first["message"] != first["message_en"]  # 中文 and English
    task.refresh_from_db()
    assert task.is_open and RECEIVED == []


# --- the registry ------------------------------------------------------------------------------------


def test_a_module_registers_a_kind_of_its_own(net: Network, case: Case, world: dict[str, Any]) -> None:
    def clean_plate(spec: Field, value: Any, context: Any) -> str:
        if not (isinstance(value, str) and value.startswith("浙F")):
            raise ValidationError({spec.name: [ValidationError("not a 浙F plate", code="bad_plate")]})
        return value

    register_kind(FieldKind("plate", form_field=lambda spec, choices: forms.CharField(label=spec.label),
                            clean=clean_plate))  # fmt: skip
    try:
        spec = Field("plate", "车牌", "plate")
        assert clean_inputs([spec], {"plate": "浙F12345"}, context=None) == {"plate": "浙F12345"}  # type: ignore[arg-type]
        with pytest.raises(ValidationError) as refused:
            clean_inputs([spec], {"plate": "沪A1"}, context=None)  # type: ignore[arg-type]
        assert refused.value.error_dict["plate"][0].code == "bad_plate"
        with pytest.raises(ValueError, match="already registered"):
            register_kind(FieldKind("plate", form_field=KINDS["text"].form_field, clean=clean_plate))
    finally:
        KINDS.pop("plate")


def test_a_field_of_a_kind_nobody_registered_is_a_configuration_error(kinds_process: Process) -> None:
    assert unknown_kinds() == []
    step = Step(
        "x", "x", Role.TOWN_STAFF, town, actions=(Action("go", "go", Move.CLOSE, fields=(Field("n", "n", "nope"),)),)
    )
    register(Process(key="test_unknown_kind", label="x", prefix="TU", steps=(step,), view_capability="cases.view"))
    try:
        assert unknown_kinds() == ["test_unknown_kind.x.go.n: nope"]
        with pytest.raises(ImproperlyConfigured):
            clean_inputs(step.actions[0].fields, {"n": "1"}, context=None)  # type: ignore[arg-type]
    finally:
        PROCESSES.pop("test_unknown_kind")


def test_a_note_with_a_control_character_is_refused_not_stored(net: Network, case: Case, world: dict[str, Any]) -> None:
    task = fill_task(case)
    response = net.client("town_staff").post(
        f"/api/v1/tasks/{task.pk}/act",
        json.dumps({"action": "save", "note": "已核\x00实", "data": world["good"]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [("note", "not_text")]
