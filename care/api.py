"""The regular-contact and needs API: visits (logged with the needs found, listed by person, area and day), the
needs register on the kit (list, detail, raise, act) with its 回访 answer, a contact person's people, the
station's overdue list and the coverage by area.

Every operation declares its access (``@endpoint``) and reads through ``visible_to``: another area's veteran,
visit or need is not found (404). Visits and needs are made from phones on a poor signal: their create
operations take an ``Idempotency-Key`` header (``core.idempotency``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Header, Router, Schema, Status, UploadedFile

from care import selectors, services
from care.figures import coverage, needs_figures
from care.models import NeedSource, Satisfaction, Visit
from care.register import NEEDS
from core import idempotency
from core.access import Target, endpoint
from core.api import IsoDate, json_form_field, upload_digest
from core.errors import invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from regions.selectors import scoped_area
from workflow.kit import acting_task, subject_by_case, subject_detail, subject_router
from workflow.services import act

router = Router(tags=["care"])

VISIT = Target(Visit, "pk", "visit_id")
MAX_NEEDS = services.MAX_NEEDS


class NeedFoundIn(Schema):
    #: 生活 living, 就业 employment, 就学 schooling, 医疗 medical, 住房 housing, 法律 legal, 其他 other
    category: str = Field(..., max_length=12)
    description: str = Field(..., max_length=1000)


class VisitIn(Schema):
    veteran_id: Id
    visited_on: IsoDate
    #: home (上门), phone (电话), wechat (微信), station (到站)
    mode: str = Field(..., max_length=10)
    note: str = Field("", max_length=1000)
    needs: list[NeedFoundIn] = Field([], max_length=MAX_NEEDS)


class VisitOut(Schema):
    id: int
    veteran_id: int
    veteran_name: str
    visited_on: dt.date
    mode: str
    note: str
    recorded_by: str
    recorded_at: dt.datetime
    photos: int
    needs: list[int]
    region_code: str


class VisitPage(Schema):
    items: list[VisitOut]
    next: str | None


def visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk, "veteran_id": v.veteran_id, "veteran_name": v.veteran.name, "visited_on": v.visited_on,
        "mode": v.mode, "note": v.note, "recorded_by": v.recorded_by.get_full_name() or v.recorded_by.username,
        "recorded_at": v.recorded_at, "photos": len(v.photos.all()), "needs": [n.case_id for n in v.needs.all()],
        "region_code": v.region_code,
    }  # fmt: skip


def _fresh(visit: Visit) -> dict[str, Any]:
    shown = Visit.objects.select_related("veteran", "recorded_by").prefetch_related("photos", "needs")
    return visit_out(shown.get(pk=visit.pk))


@router.post("/visits", response={201: VisitOut, 200: VisitOut}, operation_id="care_visits_log")
@endpoint("care.visit", errors=(409,))
def visits_log(
    request: AuthedRequest,
    payload: VisitIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Log a contact with a veteran of your area and raise the needs found on it (each a need on the kit). The
    same ``Idempotency-Key`` again answers 200 with the visit the first request made, and makes nothing more."""
    key = idempotency.header_key(idempotency_key)
    data = services.VisitInput(
        veteran_id=payload.veteran_id, visited_on=payload.visited_on, mode=payload.mode.strip(), note=payload.note,
        needs=[services.NeedInput(n.category.strip(), n.description) for n in payload.needs],
    )  # fmt: skip
    visit, new = idempotency.once(actor=request.user, key=key, request=payload.dict(),
                                  create=lambda: services.visit_log(actor=request.user, data=data))  # fmt: skip
    return Status(201 if new else 200, _fresh(visit))


@router.post("/visits/with-photos", response={201: VisitOut, 200: VisitOut}, operation_id="care_visits_log_photos")
@endpoint("care.visit", errors=(409,))
def visits_log_with_photos(
    request: AuthedRequest,
    data: str | None = Form(None),
    photo: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja reads the uploads from it
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Log a visit with its photos (multipart: the visit as JSON in ``data``, the same object ``POST /visits``
    takes; the pictures in ``photo``, repeated: JPEG, PNG, HEIC or WebP, at most 5). The same ``Idempotency-Key``
    with the same visit and photos answers 200 with the first one and stores nothing more."""
    key = idempotency.header_key(idempotency_key)
    payload = json_form_field(data, VisitIn)
    files = list(photo or [])
    if len(files) > services.MAX_PHOTOS:
        raise invalid("photo", _("At most %(n)s photos with one visit."), code="too_many", n=services.MAX_PHOTOS)
    visit_input = services.VisitInput(
        veteran_id=payload.veteran_id, visited_on=payload.visited_on, mode=payload.mode.strip(), note=payload.note,
        needs=[services.NeedInput(n.category.strip(), n.description) for n in payload.needs], photos=files,
    )  # fmt: skip
    seen = {**payload.dict(), "photos": [upload_digest(f) for f in files]}
    visit, new = idempotency.once(actor=request.user, key=key, request=seen,
                                  create=lambda: services.visit_log(actor=request.user, data=visit_input))  # fmt: skip
    return Status(201 if new else 200, _fresh(visit))


@router.get("/visits", response=VisitPage, operation_id="care_visits_list")
@endpoint("care.view")
def visits_list(
    request: AuthedRequest,
    veteran: Id | None = None,
    region: str = "",
    since: IsoDate | None = None,
    limit: Int64 = 50,
    cursor: str = "",
) -> dict[str, Any]:
    """The visits you may see, newest first: of one person (``veteran``), an area under yours (``region``, a
    code) and from a day on (``since``)."""
    within = scoped_area(request.user, region).prefix if region else ""
    qs = selectors.visits(request.user, veteran=veteran, within=within, since=since).prefetch_related("photos", "needs")
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [visit_out(v) for v in items], "next": next_cursor}


@router.get("/visits/{visit_id}", response=VisitOut, operation_id="care_visits_get")
@endpoint("care.view", target=VISIT)
def visits_get(request: AuthedRequest, visit_id: Id) -> dict[str, Any]:
    return _fresh(get_visible_or_404(Visit.objects.all(), request.user, pk=visit_id))


# --- needs (the kit's register) ---------------------------------------------------------------------------------


class NeedIn(Schema):
    veteran_id: Id
    category: str = Field(..., max_length=12)
    description: str = Field(..., max_length=1000)


def need_create(actor: Any, payload: NeedIn) -> Any:
    need = services.NeedInput(payload.category.strip(), payload.description)
    return services.need_raise(actor=actor, veteran_id=payload.veteran_id, need=need, source=NeedSource.STATION)


needs_router = subject_router(NEEDS, create_in=NeedIn, create=need_create)


class FollowUpIn(Schema):
    satisfied: bool
    #: when satisfied: very, satisfied or basic
    rating: str = Field("", max_length=12)
    #: what the person said (required when not satisfied: it goes back to the unit with the need)
    note: str = Field("", max_length=2000)
    task: Id | None = None


@router.post("/needs/{case_id}/followup", response=Any, operation_id="needs_followup")
@endpoint("care.view", target=Target(NEEDS.model, "case_id", "case_id"))
def needs_followup(request: AuthedRequest, case_id: Id, payload: FollowUpIn) -> dict[str, Any]:
    """The 回访's answer: satisfied (with a rating) closes the need; not satisfied reopens it."""
    subject_by_case(NEEDS, user=request.user, case_pk=case_id)
    task = acting_task(user=request.user, case_pk=case_id, task=payload.task)
    if task.step != "followup":
        raise invalid("task", _("This need is not waiting for its follow-up."), code="not_followup")
    if payload.satisfied:
        if payload.rating not in Satisfaction.values or payload.rating == Satisfaction.DISSATISFIED:
            raise invalid("rating", _("The rating is one of: very, satisfied, basic."), code="bad_rating")
        act(actor=request.user, task=task, action="satisfied", note=payload.note, data={"rating": payload.rating})
    else:
        act(actor=request.user, task=task, action="dissatisfied", note=payload.note)
    return subject_detail(NEEDS, subject_by_case(NEEDS, user=request.user, case_pk=case_id))


# --- a contact person's people, the station's overdue list, coverage ---------------------------------------------


class PersonOut(Schema):
    veteran_id: int
    name: str
    region_code: str
    phone_masked: str
    last_visit: dt.date | None
    due_on: dt.date | None
    overdue: bool


def person_out(v: Any) -> dict[str, Any]:
    return {"veteran_id": v.pk, "name": v.name, "region_code": v.region_code, "phone_masked": v.phone_masked,
            "last_visit": v.last_visit, "due_on": selectors.due_on(v), "overdue": v.overdue}  # fmt: skip


class PeoplePage(Schema):
    items: list[PersonOut]
    next: str | None


@router.get("/care/my-people", response=list[PersonOut], operation_id="care_my_people")
@endpoint("care.visit")
def care_my_people(request: AuthedRequest) -> list[dict[str, Any]]:
    """The people whose contact person you are, overdue first, then by when they were last contacted."""
    return [person_out(v) for v in selectors.my_people(request.user)]


@router.get("/care/overdue", response=PeoplePage, operation_id="care_overdue")
@endpoint("care.view")
def care_overdue(request: AuthedRequest, region: str = "", limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """The living people of your area (or of ``region`` under it) whose contact is overdue, by id."""
    within = scoped_area(request.user, region).prefix if region else ""
    qs = selectors.overdue_contacts(request.user, within)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit)
    return {"items": [person_out(v) for v in items], "next": next_cursor}


class CoverageRow(Schema):
    code: str
    name: str
    level: str
    living: int
    contacted: int
    overdue: int
    rate: Decimal | None


class CoverageOut(Schema):
    total: CoverageRow
    areas: list[CoverageRow]


@router.get("/care/coverage", response=CoverageOut, operation_id="care_coverage")
@endpoint("care.view")
def care_coverage(request: AuthedRequest, region: str = "") -> dict[str, Any]:
    """The share of living people contacted within their frequency, in your area (or ``region``) and in each
    area one level under it."""
    total, areas = coverage(scoped_area(request.user, region).code)
    return {"total": total, "areas": areas}


class CareNeedsRow(Schema):
    code: str
    name: str
    level: str
    opened: int
    resolved: int
    #: resolved without any handling step passing its limit
    on_time: int
    followed_up: int
    satisfied: int
    #: satisfied ÷ followed up, a percentage with one decimal; null when none was followed up
    satisfaction: Decimal | None


class CareNeedsCategory(Schema):
    category: str
    name: str
    opened: int


class CareNeedsFiguresOut(Schema):
    since: dt.date
    until: dt.date
    total: CareNeedsRow
    areas: list[CareNeedsRow]
    categories: list[CareNeedsCategory]


@router.get("/care/needs-figures", response=CareNeedsFiguresOut, operation_id="care_needs_figures")
@endpoint("care.view")
def care_needs_figures(request: AuthedRequest, region: str = "", since: IsoDate | None = None,
                       until: IsoDate | None = None) -> dict[str, Any]:  # fmt: skip
    """Needs raised from ``since`` (default: 1 January of ``until``'s year) to ``until`` (default: today), in your
    area (or ``region``) and each area one level under it: opened, resolved, on time, followed up, satisfied."""
    end = until or timezone.localdate()
    start = since or end.replace(month=1, day=1)
    if end < start:
        raise invalid("until", _("The end is before the start."), code="before_start")
    return needs_figures(scoped_area(request.user, region).code, start, end)


router.add_router("", needs_router)
