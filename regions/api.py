from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from core.access import endpoint
from core.api import IsoDate
from core.ids import Int64
from core.pagination import keyset_page
from core.types import AuthedRequest
from regions import selectors, services
from regions.models import GridLeaderTerm, Region, Station

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id else None  # type: ignore[union-attr]


class RegionPage(Schema):
    items: list[RegionOut]
    next: str | None


class RegionIn(Schema):
    code: str = Field(..., max_length=15)
    name: str = Field(..., max_length=60)
    level: str
    parent_code: str


class RegionPatch(Schema):
    name: str | None = Field(None, max_length=60)
    parent_code: str | None = None


class StationOut(Schema):
    region_code: str
    kind: str
    name: str
    address: str
    phone: str
    head_name: str
    full_time_staff: int
    part_time_staff: int
    opened_on: dt.date | None
    designations: list[str]
    stars: int | None

    @staticmethod
    def resolve_region_code(obj: Station) -> str:
        return obj.region.code

    @staticmethod
    def resolve_designations(obj: Station) -> list[str]:
        return [d.designation for d in obj.designations.all()]

    @staticmethod
    def resolve_stars(obj: Station) -> int | None:
        # .all() reads the list's prefetch; the model orders ratings newest year first.
        latest = next(iter(obj.star_ratings.all()), None)
        return latest.stars if latest else None


class StationIn(Schema):
    name: str = Field(..., max_length=80)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    head_name: str = Field("", max_length=50)
    full_time_staff: int = Field(0, ge=0, le=1000)
    part_time_staff: int = Field(0, ge=0, le=1000)
    opened_on: IsoDate | None = None


class StarRatingIn(Schema):
    year: Int64
    scores: dict[str, Decimal]
    note: str = Field("", max_length=200)


class StarRatingOut(Schema):
    year: int
    total_score: Decimal
    stars: int


class TermOut(Schema):
    grid_code: str
    leader_name: str
    leader_phone: str
    start_date: dt.date
    end_date: dt.date | None

    @staticmethod
    def resolve_grid_code(obj: GridLeaderTerm) -> str:
        return obj.grid.code

    @staticmethod
    def resolve_leader_phone(obj: GridLeaderTerm) -> str:
        return obj.leader_phone_shown


class TermIn(Schema):
    leader_name: str = Field(..., max_length=50)
    leader_phone: str = Field("", max_length=20)
    start_date: IsoDate
    rotate: bool = False
    note: str = Field("", max_length=200)


@router.get("/regions", response=RegionPage)
@endpoint("regions.view")
def regions_list(
    request: AuthedRequest, level: str = "", parent: str = "", q: str = "", limit: Int64 = 100, cursor: str = ""
) -> dict[str, object]:
    """Regions under the caller's scope, ordered by code."""
    qs = selectors.region_list(user=request.user, level=level, parent_code=parent, q=q)
    items, next_cursor = keyset_page(qs, key="code", cursor=cursor or None, limit=limit)
    return {"items": items, "next": next_cursor}


@router.get("/regions/{code}", response=RegionOut)
@endpoint("regions.view", target=selectors.REGION)
def regions_get(request: AuthedRequest, code: str) -> Region:
    return selectors.region_get(user=request.user, code=code)


@router.post("/regions", response={201: RegionOut})
@endpoint("regions.manage")
def regions_create(request: AuthedRequest, payload: RegionIn) -> Status:
    parent = services.find_region_for(request.user, payload.parent_code)
    region = services.region_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        level=payload.level,
        parent=parent,
    )
    return Status(201, region)


@router.patch("/regions/{code}", response=RegionOut)
@endpoint("regions.manage", target=selectors.REGION)
def regions_update(request: AuthedRequest, code: str, payload: RegionPatch) -> Region:
    region = selectors.region_get(user=request.user, code=code)
    parent = services.find_region_for(request.user, payload.parent_code) if payload.parent_code else None
    return services.region_update(actor=request.user, region=region, name=payload.name, parent=parent)


@router.get("/stations", response=list[StationOut])
@endpoint("regions.view")
def stations_list(request: AuthedRequest, designation: str = "", kind: str = "", q: str = "") -> list[Station]:
    qs = selectors.station_list(user=request.user, designation=designation, kind=kind, q=q)
    return list(qs.prefetch_related("star_ratings")[:1000])


@router.put("/regions/{code}/station", response=StationOut)
@endpoint("stations.manage", target=selectors.REGION)
def station_put(request: AuthedRequest, code: str, payload: StationIn) -> Station:
    region = selectors.region_get(user=request.user, code=code)
    return services.station_save(actor=request.user, region=region, data=payload.dict())


@router.post("/regions/{code}/star-ratings", response={201: StarRatingOut})
@endpoint("stations.manage", target=selectors.STATION)
def star_rating_post(request: AuthedRequest, code: str, payload: StarRatingIn) -> Status:
    station = selectors.station_get(user=request.user, code=code)
    rating = services.star_rating_record(
        actor=request.user,
        station=station,
        year=payload.year,
        scores=payload.scores,
        note=payload.note,
    )
    return Status(201, rating)


@router.get("/regions/{code}/leaders", response=list[TermOut])
@endpoint("regions.view", target=selectors.REGION, no_store=True)  # the leader in office: full phone
def leaders_list(request: AuthedRequest, code: str) -> list[GridLeaderTerm]:
    grid = selectors.region_get(user=request.user, code=code)
    return list(selectors.leader_terms(user=request.user, grid=grid).select_related("grid"))


@router.post("/regions/{code}/leaders", response={201: TermOut})
@endpoint("grids.manage", target=selectors.REGION)
def leaders_appoint(request: AuthedRequest, code: str, payload: TermIn) -> Status:
    grid = selectors.region_get(user=request.user, code=code)
    service = services.grid_leader_rotate if payload.rotate else services.grid_leader_appoint
    term = service(
        actor=request.user,
        grid=grid,
        leader_name=payload.leader_name,
        leader_phone=payload.leader_phone,
        start_date=payload.start_date,
        note=payload.note,
    )
    return Status(201, term)
