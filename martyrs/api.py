"""The martyrs' API: the martyrs (list, one, register, change), their family members and each one's 一人一档 record
(read, update, the responsible person), a responsible person's families, the memorial facilities (list, one,
register, change), their upkeep ledger (enter, reverse) and visits of remembrance, and the figures.

Every operation declares its access (``@endpoint``) and reads through ``visible_to``: another area's martyr,
family member or facility is not found (404). A phone records visits of remembrance, upkeep rows and 一人一档
updates on a poor signal: those take an ``Idempotency-Key`` header (``core.idempotency``). A family member's
visits and needs are care's own (``/api/v1/visits``, ``/api/v1/needs``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from accounts.models import User
from core import idempotency
from core.access import Target, endpoint
from core.api import IsoDate, ReversalIn
from core.errors import invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from martyrs import selectors, services
from martyrs.figures import family_figures, memorial_conditions
from martyrs.models import Martyr, MartyrFamily, Memorial, Remembrance, Upkeep
from regions.selectors import scoped_area

router = Router(tags=["martyrs"])

MARTYR = Target(Martyr, "pk", "martyr_id")
FAMILY = Target(MartyrFamily, "pk", "family_id")
MEMORIAL = Target(Memorial, "pk", "memorial_id")
UPKEEP = Target(Upkeep, "pk", "entry_id")


# --- martyrs ----------------------------------------------------------------------------------------------------


class MartyrIn(Schema):
    name: str = Field(..., max_length=50)
    #: the region code that registers the martyr (a town or village of your area, or the city)
    region: str = Field(..., max_length=15)
    #: M or F; "" when unknown
    gender: str = Field("", max_length=1)
    #: "1944", "1944-05" or "1944-05-17"; "" when unknown
    born: str = Field("", max_length=10)
    sacrificed: str = Field("", max_length=10)
    native_place: str = Field("", max_length=100)
    unit: str = Field("", max_length=200)
    place_of_sacrifice: str = Field("", max_length=200)
    deeds: str = Field("", max_length=5000)
    memorial_id: Id | None = None
    burial_place: str = Field("", max_length=200)


class MartyrOut(Schema):
    id: int
    name: str
    gender: str
    born: str
    born_precision: str
    sacrificed: str
    sacrificed_precision: str
    native_place: str
    region_code: str
    unit: str
    place_of_sacrifice: str
    deeds: str
    memorial_id: int | None
    memorial_name: str
    burial_place: str
    #: demo data (示例数据（虚构）)
    synthetic: bool
    family: int


class MartyrPage(Schema):
    items: list[MartyrOut]
    next: str | None


def martyr_out(m: Martyr) -> dict[str, Any]:
    family = getattr(m, "family_count", None)
    return {
        "id": m.pk, "name": m.name, "gender": m.gender, "born": m.born_shown, "born_precision": m.birth_precision,
        "sacrificed": m.sacrificed_shown, "sacrificed_precision": m.sacrificed_precision,
        "native_place": m.native_place, "region_code": m.region_code, "unit": m.unit,
        "place_of_sacrifice": m.place_of_sacrifice, "deeds": m.deeds, "memorial_id": m.memorial_id,
        "memorial_name": m.memorial.name if m.memorial else "", "burial_place": m.burial_place,
        "synthetic": m.synthetic, "family": family if family is not None else m.family.count(),
    }  # fmt: skip


def _martyr_input(payload: MartyrIn) -> services.MartyrInput:
    return services.MartyrInput(
        name=payload.name, region=payload.region, gender=payload.gender, born=payload.born,
        sacrificed=payload.sacrificed, native_place=payload.native_place, unit=payload.unit,
        place_of_sacrifice=payload.place_of_sacrifice, deeds=payload.deeds, memorial=payload.memorial_id,
        burial_place=payload.burial_place,
    )  # fmt: skip


@router.get("/martyrs", response=MartyrPage, operation_id="martyrs_list")
@endpoint("martyrs.view")
def martyrs_list(
    request: AuthedRequest, q: str = Query("", max_length=40), region: str = "", limit: Int64 = 50, cursor: str = ""
) -> dict[str, Any]:
    """The martyrs you may see, by id: narrowed by a name, unit or native place (``q``) and an area (``region``)."""
    within = scoped_area(request.user, region).prefix if region else ""
    qs = selectors.martyrs(request.user, q=q, within=within)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit)
    return {"items": [martyr_out(m) for m in items], "next": next_cursor}


@router.post("/martyrs", response={201: MartyrOut}, operation_id="martyrs_create")
@endpoint("martyrs.manage")
def martyrs_create(request: AuthedRequest, payload: MartyrIn) -> Status[Any]:
    """Register a martyr. Refusals at their field: ``born``/``sacrificed`` ``bad_date``, ``future``,
    ``before_birth``; ``region`` ``unknown_region``; ``memorial`` ``unknown_memorial``."""
    made = services.martyr_create(actor=request.user, data=_martyr_input(payload))
    return Status(201, martyr_out(made))


# --- a responsible person's families, the figures (before the paths that take an id) -------------------------


class MartyrsFamilyOut(Schema):
    id: int
    martyr_id: int
    martyr_name: str
    veteran_id: int
    name: str
    relation: str
    region_code: str
    phone_masked: str
    living: str
    schooling: str
    employment: str
    benefits: str
    note: str
    responsible_id: int | None
    responsible_name: str
    updated_at: dt.datetime


def family_out(f: MartyrFamily) -> dict[str, Any]:
    person = f.veteran
    who = f.responsible
    return {
        "id": f.pk, "martyr_id": f.martyr_id, "martyr_name": f.martyr.name, "veteran_id": person.pk,
        "name": person.name, "relation": f.relation, "region_code": f.region_code, "phone_masked": person.phone_masked,
        "living": f.living, "schooling": f.schooling, "employment": f.employment, "benefits": f.benefits,
        "note": f.note, "responsible_id": f.responsible_id,
        "responsible_name": (who.get_full_name() or who.username) if who else "", "updated_at": f.updated_at,
    }  # fmt: skip


class MartyrsMyFamilyOut(Schema):
    family: MartyrsFamilyOut
    last_visit: dt.date | None
    overdue: bool


@router.get("/martyrs/my-families", response=list[MartyrsMyFamilyOut], operation_id="martyrs_my_families")
@endpoint("martyrs.respond")
def martyrs_my_families(request: AuthedRequest) -> list[dict[str, Any]]:
    """The family members you answer for (专人对接), those not contacted within their frequency first."""
    rows = selectors.my_families(request.user)
    return [{"family": family_out(r), "last_visit": r.last_visit, "overdue": r.overdue} for r in rows]


class MartyrsFamilyFigure(Schema):
    code: str
    name: str
    level: str
    families: int
    with_responsible: int
    contacted: int
    rate: Decimal | None


class MartyrsConditionFigure(Schema):
    condition: str
    name: str
    count: int


class MartyrsFiguresOut(Schema):
    total: MartyrsFamilyFigure
    areas: list[MartyrsFamilyFigure]
    memorials: list[MartyrsConditionFigure]


@router.get("/martyrs/figures", response=MartyrsFiguresOut, operation_id="martyrs_figures")
@endpoint("martyrs.view")
def martyrs_figures(request: AuthedRequest, region: str = "") -> dict[str, Any]:
    """Martyr families of your area (or ``region``) and of each area one level under it: how many, with a
    responsible person, contacted within their frequency (care's rule); and the facilities by condition."""
    area = scoped_area(request.user, region)
    total, areas = family_figures(area.code)
    return {"total": total, "areas": areas, "memorials": memorial_conditions(area.code)}


# --- family members and their 一人一档 record ------------------------------------------------------------------


class MartyrsFamilyIn(Schema):
    veteran_id: Id
    #: spouse, child, parent, sibling, other
    relation: str = Field(..., max_length=10)


class MartyrsRecordIn(Schema):
    """The fields to change; a field left out stays as it is."""

    living: str | None = Field(None, max_length=1000)
    schooling: str | None = Field(None, max_length=500)
    employment: str | None = Field(None, max_length=500)
    benefits: str | None = Field(None, max_length=500)
    note: str | None = Field(None, max_length=1000)


class MartyrsResponsibleIn(Schema):
    #: a user of the person's area who may be named; null: nobody
    user_id: Id | None = None


def _fresh_family(request: AuthedRequest, pk: int) -> dict[str, Any]:
    return family_out(selectors.family_get(request.user).get(pk=pk))


@router.get("/martyrs/families/{family_id}", response=MartyrsFamilyOut, operation_id="martyrs_family_get")
@endpoint("martyrs.view", target=FAMILY)
def martyrs_family_get(request: AuthedRequest, family_id: Id) -> dict[str, Any]:
    """A family member's 一人一档 record; each reading is audited (``martyrs.record_view``)."""
    family = get_visible_or_404(selectors.family_get(request.user), request.user, pk=family_id)
    services.record_view(actor=request.user, family=family)
    return family_out(family)


@router.patch("/martyrs/families/{family_id}", response={200: MartyrsFamilyOut}, operation_id="martyrs_record_update")
@endpoint("martyrs.respond", target=FAMILY, errors=(409,))
def martyrs_record_update(
    request: AuthedRequest,
    family_id: Id,
    payload: MartyrsRecordIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Update the 一人一档 record (by its responsible person, or station staff who manage the register); the change
    is kept in its history. The same ``Idempotency-Key`` again changes nothing more."""
    family = get_visible_or_404(selectors.family_get(request.user), request.user, pk=family_id)
    key = idempotency.header_key(idempotency_key)
    data = services.RecordInput(**payload.dict())
    idempotency.once(actor=request.user, key=key, request=payload.dict() | {"family": family.pk},
                     create=lambda: services.record_update(actor=request.user, family=family, data=data))  # fmt: skip
    return Status(200, _fresh_family(request, family.pk))


@router.put(
    "/martyrs/families/{family_id}/responsible", response=MartyrsFamilyOut, operation_id="martyrs_responsible_set"
)
@endpoint("martyrs.manage", target=FAMILY)
def martyrs_responsible_set(request: AuthedRequest, family_id: Id, payload: MartyrsResponsibleIn) -> dict[str, Any]:
    """Name the family member's one responsible person (专人对接), a station user of the person's area."""
    family = get_visible_or_404(selectors.family_get(request.user), request.user, pk=family_id)
    user = None
    if payload.user_id is not None:
        user = User.objects.filter(pk=payload.user_id).first()
        if user is None:
            raise invalid("user_id", _("The responsible person must be a station user of the person's area."),
                          code="not_in_area")  # fmt: skip
    services.responsible_assign(actor=request.user, family=family, user=user)
    return _fresh_family(request, family.pk)


# --- one martyr ---------------------------------------------------------------------------------------------------


@router.get("/martyrs/{martyr_id}", response=MartyrOut, operation_id="martyrs_get")
@endpoint("martyrs.view", target=MARTYR)
def martyrs_get(request: AuthedRequest, martyr_id: Id) -> dict[str, Any]:
    return martyr_out(get_visible_or_404(Martyr.objects.select_related("memorial"), request.user, pk=martyr_id))


@router.put("/martyrs/{martyr_id}", response=MartyrOut, operation_id="martyrs_update")
@endpoint("martyrs.manage", target=MARTYR)
def martyrs_update(request: AuthedRequest, martyr_id: Id, payload: MartyrIn) -> dict[str, Any]:
    """Change a martyr: the whole record, as registered."""
    martyr = get_visible_or_404(Martyr.objects.all(), request.user, pk=martyr_id)
    synthetic = martyr.synthetic
    data = _martyr_input(payload)
    data.synthetic = synthetic
    return martyr_out(services.martyr_update(actor=request.user, martyr=martyr, data=data))


@router.get("/martyrs/{martyr_id}/family", response=list[MartyrsFamilyOut], operation_id="martyrs_family_list")
@endpoint("martyrs.view", target=MARTYR)
def martyrs_family_list(request: AuthedRequest, martyr_id: Id) -> list[dict[str, Any]]:
    """The martyr's family members you may see (each by where they live), without their 一人一档 details' audit:
    open one (``/martyrs/families/{id}``) to read it in full."""
    martyr = get_visible_or_404(Martyr.objects.all(), request.user, pk=martyr_id)
    return [family_out(f) | {"living": "", "schooling": "", "employment": "", "benefits": "", "note": ""}
            for f in selectors.family_of(request.user, martyr).select_related("martyr")]  # fmt: skip


@router.post("/martyrs/{martyr_id}/family", response={201: MartyrsFamilyOut}, operation_id="martyrs_family_link")
@endpoint("martyrs.manage", target=MARTYR)
def martyrs_family_link(request: AuthedRequest, martyr_id: Id, payload: MartyrsFamilyIn) -> Status[Any]:
    """Record a person of the registry (烈士遗属, of your area) as one of the martyr's family: ``veteran_id``
    ``not_visible`` or ``not_martyr_family``; ``relation`` ``bad_choice``."""
    martyr = get_visible_or_404(Martyr.objects.all(), request.user, pk=martyr_id)
    made = services.family_link(actor=request.user, martyr=martyr, veteran_id=payload.veteran_id,
                                relation=payload.relation.strip())  # fmt: skip
    return Status(201, _fresh_family(request, made.pk))


# --- memorial facilities ------------------------------------------------------------------------------------------


class MemorialIn(Schema):
    name: str = Field(..., max_length=100)
    #: cemetery, monument, hall, tomb, education_base, other
    kind: str = Field(..., max_length=20)
    region: str = Field(..., max_length=15)
    address: str = Field("", max_length=200)
    #: national, provincial, prefecture, county, none
    protection_level: str = Field("none", max_length=12)
    #: good (完好), fair (一般), repair (需修缮)
    condition: str = Field("good", max_length=10)
    note: str = Field("", max_length=1000)


class MemorialOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    address: str
    protection_level: str
    condition: str
    note: str
    synthetic: bool


class MemorialPage(Schema):
    items: list[MemorialOut]
    next: str | None


def memorial_out(m: Memorial) -> dict[str, Any]:
    return {"id": m.pk, "name": m.name, "kind": m.kind, "region_code": m.region_code, "address": m.address,
            "protection_level": m.protection_level, "condition": m.condition, "note": m.note,
            "synthetic": m.synthetic}  # fmt: skip


def _memorial_input(payload: MemorialIn) -> services.MemorialInput:
    return services.MemorialInput(**payload.dict())


@router.get("/memorials", response=MemorialPage, operation_id="memorials_list")
@endpoint("martyrs.view")
def memorials_list(
    request: AuthedRequest, condition: str = Query("", max_length=10), limit: Int64 = 50, cursor: str = ""
) -> dict[str, Any]:
    """The facilities of your area, by id; narrowed by ``condition`` (good, fair, repair)."""
    qs = selectors.memorials(request.user, condition=condition.strip())
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit)
    return {"items": [memorial_out(m) for m in items], "next": next_cursor}


@router.post("/memorials", response={201: MemorialOut}, operation_id="memorials_create")
@endpoint("martyrs.manage")
def memorials_create(request: AuthedRequest, payload: MemorialIn) -> Status[Any]:
    return Status(201, memorial_out(services.memorial_create(actor=request.user, data=_memorial_input(payload))))


@router.get("/memorials/{memorial_id}", response=MemorialOut, operation_id="memorials_get")
@endpoint("martyrs.view", target=MEMORIAL)
def memorials_get(request: AuthedRequest, memorial_id: Id) -> dict[str, Any]:
    return memorial_out(get_visible_or_404(Memorial.objects.all(), request.user, pk=memorial_id))


@router.put("/memorials/{memorial_id}", response=MemorialOut, operation_id="memorials_update")
@endpoint("martyrs.manage", target=MEMORIAL)
def memorials_update(request: AuthedRequest, memorial_id: Id, payload: MemorialIn) -> dict[str, Any]:
    """Change a facility (its condition after an inspection)."""
    memorial = get_visible_or_404(Memorial.objects.all(), request.user, pk=memorial_id)
    data = _memorial_input(payload)
    data.synthetic = memorial.synthetic
    return memorial_out(services.memorial_update(actor=request.user, memorial=memorial, data=data))


class MemorialsUpkeepIn(Schema):
    done_on: IsoDate
    work: str = Field(..., max_length=500)
    #: yuan, not negative, with at most two decimals: "1280.50"
    cost: Decimal
    done_by: str = Field(..., max_length=100)


class MemorialsUpkeepOut(Schema):
    id: int
    memorial_id: int
    done_on: dt.date
    work: str
    cost: Decimal
    done_by: str
    #: the row this one reverses (null: an original row)
    reverses_id: int | None
    reason: str
    entered_at: dt.datetime


def upkeep_out(u: Upkeep) -> dict[str, Any]:
    return {"id": u.pk, "memorial_id": u.memorial_id, "done_on": u.done_on, "work": u.work, "cost": u.cost,
            "done_by": u.done_by, "reverses_id": u.reverses_id, "reason": u.reason,
            "entered_at": u.created_at}  # fmt: skip


@router.get("/memorials/{memorial_id}/upkeep", response=list[MemorialsUpkeepOut], operation_id="memorials_upkeep_list")
@endpoint("martyrs.view", target=MEMORIAL)
def memorials_upkeep_list(request: AuthedRequest, memorial_id: Id) -> list[dict[str, Any]]:
    """The facility's upkeep ledger, newest first (a reversal is a row of its own, its cost negated)."""
    memorial = get_visible_or_404(Memorial.objects.all(), request.user, pk=memorial_id)
    return [upkeep_out(u) for u in selectors.upkeep_of(request.user, memorial)]


@router.post("/memorials/{memorial_id}/upkeep", response={201: MemorialsUpkeepOut, 200: MemorialsUpkeepOut},
             operation_id="memorials_upkeep_record")  # fmt: skip
@endpoint("martyrs.manage", target=MEMORIAL, errors=(409,))
def memorials_upkeep_record(
    request: AuthedRequest,
    memorial_id: Id,
    payload: MemorialsUpkeepIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Enter an upkeep row: ``done_on`` ``future``, ``cost`` ``not_money`` / ``negative``. The same
    ``Idempotency-Key`` again answers 200 with the row the first request made."""
    memorial = get_visible_or_404(Memorial.objects.all(), request.user, pk=memorial_id)
    key = idempotency.header_key(idempotency_key)
    row, new = idempotency.once(
        actor=request.user, key=key, request=payload.dict() | {"memorial": memorial.pk},
        create=lambda: services.upkeep_record(actor=request.user, memorial=memorial, done_on=payload.done_on,
                                              work=payload.work, cost=payload.cost, done_by=payload.done_by),
    )  # fmt: skip
    return Status(201 if new else 200, upkeep_out(row))


@router.post(
    "/memorials/upkeep/{entry_id}/reverse", response={201: MemorialsUpkeepOut}, operation_id="memorials_upkeep_reverse"
)
@endpoint("martyrs.manage", target=UPKEEP)
def memorials_upkeep_reverse(request: AuthedRequest, entry_id: Id, payload: ReversalIn) -> Status[Any]:
    """Cancel a wrong upkeep row by its reversal (``reason`` required); a row is reversed at most once."""
    row = get_visible_or_404(Upkeep.objects.all(), request.user, pk=entry_id)
    return Status(201, upkeep_out(services.upkeep_reverse(actor=request.user, entry=row, reason=payload.reason)))


class MemorialsRemembranceIn(Schema):
    visited_on: IsoDate
    group: str = Field(..., max_length=100)
    people: int = Field(..., ge=1, le=100_000)
    note: str = Field("", max_length=1000)


class MemorialsRemembranceOut(Schema):
    id: int
    memorial_id: int
    visited_on: dt.date
    group: str
    people: int
    note: str
    recorded_at: dt.datetime


def remembrance_out(r: Remembrance) -> dict[str, Any]:
    return {"id": r.pk, "memorial_id": r.memorial_id, "visited_on": r.visited_on, "group": r.group,
            "people": r.people, "note": r.note, "recorded_at": r.recorded_at}  # fmt: skip


@router.get("/memorials/{memorial_id}/remembrances", response=list[MemorialsRemembranceOut],
            operation_id="memorials_remembrances_list")  # fmt: skip
@endpoint("martyrs.view", target=MEMORIAL)
def memorials_remembrances_list(request: AuthedRequest, memorial_id: Id) -> list[dict[str, Any]]:
    memorial = get_visible_or_404(Memorial.objects.all(), request.user, pk=memorial_id)
    return [remembrance_out(r) for r in selectors.remembrances_of(request.user, memorial)]


@router.post(
    "/memorials/{memorial_id}/remembrances",
    response={201: MemorialsRemembranceOut, 200: MemorialsRemembranceOut},
    operation_id="memorials_remembrance_record",
)
@endpoint("martyrs.manage", target=MEMORIAL, errors=(409,))
def memorials_remembrance_record(
    request: AuthedRequest,
    memorial_id: Id,
    payload: MemorialsRemembranceIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Record a visit of remembrance (清明祭扫 …): ``visited_on`` ``future``, ``people`` ``bad_people``. The same
    ``Idempotency-Key`` again answers 200 with the visit the first request made."""
    memorial = get_visible_or_404(Memorial.objects.all(), request.user, pk=memorial_id)
    key = idempotency.header_key(idempotency_key)
    visit, new = idempotency.once(
        actor=request.user, key=key, request=payload.dict() | {"memorial": memorial.pk},
        create=lambda: services.remembrance_record(actor=request.user, memorial=memorial,
                                                   visited_on=payload.visited_on, group=payload.group,
                                                   people=payload.people, note=payload.note),
    )  # fmt: skip
    return Status(201 if new else 200, remembrance_out(visit))
