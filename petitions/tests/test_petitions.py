"""Petitions (信访): registration, the limits of the procedure, review, letters, pages, API and scope."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.testing import Network, UserFactory
from audit.models import AuditEntry
from petitions.models import Petition
from petitions.services import review_request
from petitions.tests.helpers import drive, open_task, petition_input, register_petition
from veterans.tests.factories import register as register_veteran
from workflow.models import Task
from workflow.services import act

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")


# --- registration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"channel": "fax"}, "channel", "bad_choice"),
        ({"subject": ""}, "subject", "bad_choice"),
        ({"received_on": ""}, "received_on", "required"),
        ({"received_on": "2099-01-01"}, "received_on", "future_date"),
        ({"received_on": "昨天"}, "received_on", "bad_date"),
        ({"content": "  "}, "content", "required"),
        ({"content": "长" * 5001}, "content", "too_long"),
        ({"petitioner_name": ""}, "petitioner_name", "required"),
        ({"phone": "12345"}, "phone", "bad_phone"),
        ({"id_number": "330482198005170000"}, "id_number", "id_checksum"),
        ({"region_code": "330482100001"}, "region_code", "bad_region"),  # another town's village
        ({"region_code": "999999999999"}, "region_code", "bad_region"),
        ({"people": 0}, "people", "bad_number"),
        ({"linked_number": "XF2026999999", "link_kind": "repeat"}, "linked_number", "unknown_petition"),
        ({"link_kind": "group"}, "linked_number", "required"),
        ({"petitioner_name": "=HYPERLINK()"}, "petitioner_name", "formula"),
    ],
)
def test_bad_registrations_are_refused_at_their_field(net: Network, overrides: dict, field: str, code: str) -> None:
    from petitions.services import petition_register

    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        petition_register(actor=net.users["town_staff"], data=petition_input(net, **overrides))
    assert [e.code for e in refused.value.error_dict[field]] == [code]
    assert not Petition.objects.exists() and not Task.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_registration_needs_the_capability(net: Network) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        register_petition(net, role="village_staff")


def test_personal_data_is_encrypted_and_masked(net: Network) -> None:
    from veterans.tests.factories import id_number

    number = id_number()
    petition = register_petition(net, id_number=number)
    raw = Petition.objects.filter(pk=petition.pk).values("phone_enc", "id_number_enc").get()
    assert "13800001234" not in str(raw) and number not in str(raw)
    assert petition.phone_masked == "138****1234"
    assert petition.id_number_masked.startswith("330482") and "*" in petition.id_number_masked


def test_a_veterans_second_petition_on_the_same_subject_is_linked_as_a_repeat(net: Network) -> None:
    veteran = register_veteran(net.users["town_staff"], net.village, name="赵六")
    first = register_petition(net, veteran_id=veteran.pk, petitioner_name="")
    second = register_petition(net, veteran_id=veteran.pk, petitioner_name="", received_on="2026-11-20")
    assert first.petitioner_name == "赵六"
    assert second.linked_to == first and second.link_kind == "repeat"
    other = register_petition(net, veteran_id=veteran.pk, petitioner_name="", subject="housing")
    assert other.linked_to is None


def test_a_group_petition_is_linked_by_number(net: Network) -> None:
    first = register_petition(net, people=6)
    second = register_petition(net, petitioner_name="钱七", linked_number=first.case.number, link_kind="group")
    assert first.is_group and second.linked_to == first
    page = net.client("city_staff").get(f"/petitions/{first.case_id}/").content.decode()
    assert second.case.number in page


# --- the procedure's limits --------------------------------------------------------------------------


def test_an_objection_is_possible_within_five_working_days_only(net: Network) -> None:
    petition = drive(net, register_petition(net), until="investigate")
    task = open_task(petition, "investigate")
    # assigned on Wednesday 30 September 2026: the National Day week does not count
    Task.objects.filter(pk=task.pk).update(
        started_at=dt.datetime(2026, 9, 30, 10, tzinfo=timezone.get_current_timezone())
    )
    task.refresh_from_db()
    with pytest.raises(ValidationError) as late:
        act(actor=net.users["town_staff"], task=task, action="object", note="不属于本单位职责")
    assert late.value.code == "objection_late"
    Task.objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(days=1))
    act(actor=net.users["town_staff"], task=task, action="object", note="不属于本单位职责")
    assert open_task(petition, "assign").unit_code == net.city.code  # back to the bureau to assign again


def test_one_extension_of_at_most_30_days_approved_and_told(net: Network) -> None:
    petition = drive(net, register_petition(net), until="reply")
    reply = open_task(petition, "reply")
    due = reply.due_on
    staff, admin = net.users["city_staff"], net.users["city_admin"]
    with pytest.raises(ValidationError) as too_long:
        act(actor=staff, task=reply, action="request_extension", note="需要补充调查", data={"days": 31})
    assert too_long.value.error_dict["days"][0].code == "bad_days"
    act(actor=staff, task=reply, action="request_extension", note="涉及多个部门，需要补充调查", data={"days": 30})
    approval = open_task(petition, "extension")
    assert approval.role == "city_admin"
    with pytest.raises(PermissionDenied):  # the staff may not approve their own request
        act(actor=staff, task=approval, action="approve_extension")
    act(actor=admin, task=approval, action="approve_extension")
    reply.refresh_from_db()
    assert reply.status == "open" and reply.due_on == due + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as again:
        act(actor=staff, task=reply, action="request_extension", note="再次延期", data={"days": 5})
    assert again.value.code == "extension_once"
    letter = net.client("city_staff").get(f"/petitions/{petition.case_id}/letters/extension.pdf")
    text = pdf_text(letter.content).replace("\n", "")
    assert "延期办理告知书" in text and "延长30日" in text and "涉及多个部门" in text


def test_review_within_30_days_of_the_reply_then_reexamination(net: Network) -> None:
    petition = drive(net, register_petition(net))
    replied = dt.date.fromisoformat(petition.case.date("replied"))
    staff = net.users["city_staff"]
    with pytest.raises(ValidationError) as late:
        review_request(actor=staff, petition=petition, received_on=(replied + dt.timedelta(days=31)).isoformat(),
                       content="不服答复")  # fmt: skip
    assert late.value.error_dict["received_on"][0].code in ("review_late", "future_date")
    review = review_request(actor=staff, petition=petition, content="对答复意见不服，申请复查")
    assert review.level == "review" and review.case.parent == petition.case
    task = review.case.tasks.get(status="open")
    assert task.due_on == timezone.localdate() + dt.timedelta(days=30) and task.role == "city_admin"
    with pytest.raises(ValidationError) as twice:
        review_request(actor=staff, petition=petition, content="再次申请")
    assert twice.value.code == "review_exists"
    with pytest.raises(ValidationError) as early:
        review_request(actor=staff, petition=review, content="申请复核")
    assert early.value.code == "no_reply_yet"
    act(actor=net.users["city_admin"], task=task, action="answer", note="维持原答复意见")
    re_review = review_request(actor=staff, petition=review, content="申请复核")
    assert re_review.level == "re_review"
    with pytest.raises(ValidationError) as final:
        act(actor=net.users["city_admin"], task=re_review.case.tasks.get(status="open"), action="answer", note="维持")
        review_request(actor=staff, petition=re_review, content="还要复核")
    assert final.value.code == "final"


def test_review_before_any_reply_is_refused(net: Network) -> None:
    petition = drive(net, register_petition(net), until="reply")
    with pytest.raises(ValidationError) as refused:
        review_request(actor=net.users["city_staff"], petition=petition, content="申请复查")
    assert refused.value.code == "no_reply_yet"


# --- letters ---------------------------------------------------------------------------------------------


def test_acceptance_notice_and_reply_letter_are_chinese_pdfs_and_printing_is_audited(net: Network) -> None:
    petition = drive(net, register_petition(net))
    client = net.client("city_staff")
    notice = client.get(f"/petitions/{petition.case_id}/letters/acceptance.pdf")
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"
    text = pdf_text(notice.content)
    assert (
        "信访事项受理告知书" in text
        and "李建国" in text
        and petition.case.number in text
        and "平湖市退役军人事务局" in text
    )
    reply = pdf_text(client.get(f"/petitions/{petition.case_id}/letters/reply.pdf").content)
    assert "答复意见书" in reply and "已按政策解决" in reply and "予以支持" in reply and "复查" in reply
    assert AuditEntry.objects.filter(action="petition.print").count() == 2


def test_a_letter_before_its_time_is_refused(net: Network) -> None:
    petition = register_petition(net)
    page = net.client("city_staff").get(f"/petitions/{petition.case_id}/letters/reply.pdf", follow=True)
    assert page.status_code == 200 and "application/pdf" not in page["Content-Type"]
    api = net.api_client("city_staff").get(f"/api/v1/petitions/{petition.case_id}/letters/acceptance.pdf")
    assert api.status_code == 400 and api.json()["error"]["code"] == "not_accepted"


# --- pages ---------------------------------------------------------------------------------------------------


def test_register_through_the_page_and_see_it_in_the_list(net: Network) -> None:
    client = net.client("town_staff")
    assert client.get("/petitions/new/").status_code == 200
    form = {
        "channel": "letter", "received_on": "2026-11-20", "petitioner_name": "孙八", "region_code": net.village.code,
        "subject": "housing", "content": "房屋漏雨，生活困难", "people": 1,
    }  # fmt: skip
    bad = client.post("/petitions/new/", {**form, "phone": "123"})
    assert bad.status_code == 400 and "手机" in bad.content.decode()
    refused = client.post("/petitions/new/", {**form, "phone": "13800001234", "region_code": "999"})
    assert refused.status_code == 400 and "13800001234" not in refused.content.decode()
    huge = client.post("/petitions/new/", {**form, "veteran_id": "18446744073709551616"})
    assert huge.status_code == 400  # no record can have it: refused at the field, not a driver's overflow
    done = client.post("/petitions/new/", form)
    assert done.status_code == 302
    petition = Petition.objects.get()
    assert done["Location"] == f"/petitions/{petition.case_id}/"
    listing = client.get("/petitions/?q=孙八").content.decode()
    assert petition.case.number in listing
    assert "受理告知" in listing  # the step it waits at, with its due date
    assert petition.case.tasks.get(step="accept").due_on.isoformat() in listing
    detail = client.get(done["Location"]).content.decode()
    assert "房屋漏雨" in detail and "受理告知" in detail


def test_pages_are_scoped(net: Network) -> None:
    petition = register_petition(net)
    url = f"/petitions/{petition.case_id}/"
    assert net.client("town_staff").get(url).status_code == 200
    assert net.client("other_town_staff").get(url).status_code == 404
    assert petition.case.number not in net.client("other_town_staff").get("/petitions/").content.decode()
    assert net.client("liaison").get("/petitions/").status_code == 403
    assert net.client("employer").get(url).status_code == 403
    assert net.client("village_staff").get("/petitions/new/").status_code == 403
    assert net.client("city_staff").post("/petitions/").status_code == 405


def test_the_petition_is_on_the_veterans_timeline(net: Network) -> None:
    veteran = register_veteran(net.users["town_staff"], net.village, name="周九")
    petition = drive(net, register_petition(net, veteran_id=veteran.pk, petitioner_name=""))
    page = net.client("town_staff").get(f"/veterans/{veteran.pk}/").content.decode()
    assert petition.case.number in page and f"/petitions/{petition.case_id}/" in page


# --- API -----------------------------------------------------------------------------------------------------


def test_the_api_drives_a_petition_end_to_end(net: Network) -> None:
    staff, town, admin = net.api_client("city_staff"), net.api_client("town_staff"), net.api_client("city_admin")
    body = {"channel": "phone_12345", "received_on": "2026-11-26", "subject": "policy", "content": "咨询优待证办理",
            "petitioner_name": "吴十", "region_code": net.village.code}  # fmt: skip
    created = staff.post("/api/v1/petitions", body, content_type="application/json")
    assert created.status_code == 201, created.content
    case_id = created.json()["case_id"]

    def step(client, name: str, action: str, note: str = "", **data) -> dict:
        case = staff.get(f"/api/v1/cases/{case_id}").json()
        task = next(t for t in case["tasks"] if t["step"] == name and t["status"] == "open")
        detail = client.get(f"/api/v1/tasks/{task['id']}").json()
        assert action in [a["key"] for a in detail["actions"]], detail
        answer = client.post(f"/api/v1/tasks/{task['id']}/act", {"action": action, "note": note, "data": data},
                             content_type="application/json")  # fmt: skip
        assert answer.status_code == 200, answer.content
        return answer.json()

    step(staff, "accept", "accept")
    step(staff, "assign", "assign", unit=net.danghu.code)
    step(town, "investigate", "investigated", "已核实")
    step(town, "decide", "decide", "符合条件", decision="support")
    step(staff, "reply", "reply", "请到镇服务站办理。")
    step(town, "follow_up", "visited", "满意", satisfaction="satisfied")
    step(admin, "archive", "archive")
    petition = staff.get(f"/api/v1/petitions/{case_id}").json()
    assert petition["state"] == "done" and petition["satisfaction"] == "satisfied"
    assert petition["phone_masked"] == "" and "registrar" not in petition["case"]["data"]
    assert [h["action"] for h in petition["case"]["history"]][-1] == "archive"
    pdf = staff.get(f"/api/v1/petitions/{case_id}/letters/reply.pdf")
    assert pdf.status_code == 200 and "请到镇服务站办理" in pdf_text(pdf.content)


def test_api_refusals_have_the_error_shape(net: Network) -> None:
    staff = net.api_client("city_staff")
    bad = staff.post("/api/v1/petitions", {"channel": "fax", "received_on": "x", "subject": "policy", "content": "a",
                                           "petitioner_name": "吴"}, content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    fields = {f["field"]: f for f in bad.json()["error"]["fields"]}
    assert {"channel", "received_on", "region_code"} <= set(fields)
    assert fields["channel"]["message"] != fields["channel"]["message_en"]
    petition = register_petition(net)
    task = open_task(petition, "accept")
    wrong = net.api_client("town_staff").post(f"/api/v1/tasks/{task.pk}/act", {"action": "accept"},
                                              content_type="application/json")  # fmt: skip
    assert wrong.status_code == 403 and "平湖市 · 市局工作人员" in wrong.json()["error"]["message"]
    assert "City bureau staff" in wrong.json()["error"]["message_en"]
    ok = staff.post(f"/api/v1/tasks/{task.pk}/act", {"action": "accept"}, content_type="application/json")
    assert ok.status_code == 200
    stale = net.api_client("city_admin").post(f"/api/v1/tasks/{task.pk}/act", {"action": "accept"},
                                              content_type="application/json")  # fmt: skip
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    assert "city_staff" in stale.json()["error"]["message_en"]
    missing = staff.post(f"/api/v1/tasks/{open_task(petition, 'assign').pk}/act", {"action": "assign"},
                         content_type="application/json")  # fmt: skip
    assert missing.status_code == 400 and missing.json()["error"]["fields"][0]["field"] == "unit"
    assert net.api_client("other_town_staff").get(f"/api/v1/petitions/{petition.case_id}").status_code == 404
    assert net.api_client("other_town_staff").get(f"/api/v1/tasks/{task.pk}").status_code == 404


def test_a_partner_department_investigates_what_it_can_read_and_nothing_else(net: Network) -> None:
    petition = drive(net, register_petition(net, content="反映户口迁移受阻。"), until="assign")
    act(actor=net.users["city_staff"], task=open_task(petition, "assign"), action="assign",
        data={"unit": net.city.code, "department": "police"})  # fmt: skip
    task = open_task(petition, "investigate")
    assert (task.role, task.unit_code, task.department) == ("liaison", net.city.code, "police")
    police = net.client("liaison")
    page = police.get(f"/tasks/{task.pk}/").content.decode()
    assert "反映户口迁移受阻" in page and "138****1234" in page and "13800001234" not in page
    assert police.get(f"/petitions/{petition.case_id}/").status_code == 403
    api = net.api_client("liaison").get(f"/api/v1/tasks/{task.pk}").json()
    assert {"field": "信访内容", "value": "反映户口迁移受阻。"} in api["person"]
    act(actor=net.users["liaison"], task=task, action="investigated", note="已核实")
    assert open_task(petition, "decide").department == "police"
    other = UserFactory(username="liaison_hrss2", role="liaison", scope_region=net.city, department="hrss")
    from django.test import Client

    client = Client()
    client.force_login(other)
    assert client.get(f"/tasks/{open_task(petition, 'decide').pk}/").status_code == 404


def test_assigning_a_department_below_the_city_is_refused(net: Network) -> None:
    petition = drive(net, register_petition(net), until="assign")
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["city_staff"], task=open_task(petition, "assign"), action="assign",
            data={"unit": net.danghu.code, "department": "police"})  # fmt: skip
    assert refused.value.error_dict["unit"][0].code == "bad_unit"
