"""Every write to the service network: validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record, snapshot
from core import events
from core.errors import invalid
from core.permissions import in_scope, require
from core.validators import mask_phone, validate_phone
from regions.models import (
    PARENT_LEVEL,
    PREFIX_LENGTH,
    STAR_THRESHOLDS,
    STATION_KIND_BY_LEVEL,
    Designation,
    GridLeaderTerm,
    Level,
    Region,
    StarCriterion,
    StarRating,
    StarRatingScore,
    Station,
    StationDesignation,
    level_of,
)

if TYPE_CHECKING:
    from accounts.models import User

REGION_FIELDS = ["code", "name", "level", "parent"]
STATION_FIELDS = [
    "name",
    "address",
    "phone",
    "head_name",
    "full_time_staff",
    "part_time_staff",
    "opened_on",
]
TERM_FIELDS = ["grid", "leader_name", "leader_phone", "user", "start_date", "end_date", "note"]


def network_changed(model: type, *codes: str) -> None:
    """Tell the network's readers (the cockpit's figures) which regions a committed write touched."""
    events.emit("records_changed", sender=model, regions=sorted({c for c in codes if c}))


def _audit_view(obj: Station | GridLeaderTerm, fields: list[str], phone_field: str) -> dict[str, Any]:
    """The audited fields, the phone masked: a phone is kept only encrypted, and the audit log is forever."""
    view = snapshot(obj, [f for f in fields if f != phone_field])
    view[f"{phone_field}_masked"] = mask_phone(getattr(obj, phone_field))
    return view


def station_view(station: Station) -> dict[str, Any]:
    return _audit_view(station, STATION_FIELDS, "phone")


def term_view(term: GridLeaderTerm) -> dict[str, Any]:
    return _audit_view(term, TERM_FIELDS, "leader_phone")


def validate_region_code(code: str, level: str) -> str:
    """Shape only: digits, length, and the digits of the level are set and those below it are zero."""
    code = code.strip()
    if level not in PREFIX_LENGTH:
        raise invalid("level", _("Unknown region level."), code="bad_level")
    expected_length = 15 if level == Level.GRID else 12
    # isdigit() alone admits full-width and other Unicode digits, which no URL or prefix lookup matches.
    if not (code.isascii() and code.isdigit()) or len(code) != expected_length:
        raise invalid(
            "code",
            _("A %(level)s code has %(n)d digits."),
            code="bad_code_shape",
            level=Level(level).label,
            n=expected_length,
        )
    if level_of(code) != level:
        raise invalid(
            "code",
            _("The code %(value)s does not have the shape of a %(level)s code."),
            code="bad_code_shape",
            value=code,
            level=Level(level).label,
        )
    return code


def _check_parent(*, code: str, level: str, parent: Region | None) -> None:
    if parent is None:
        return
    if PARENT_LEVEL.get(level) != parent.level:
        raise invalid(
            "parent",
            _("A %(level)s belongs under a %(parent_level)s, not under a %(actual)s."),
            code="bad_parent_level",
            level=Level(level).label,
            parent_level=Level(PARENT_LEVEL[level]).label if level in PARENT_LEVEL else "-",
            actual=Level(parent.level).label,
        )
    if not code.startswith(parent.prefix):
        raise invalid(
            "code",
            _("The code %(value)s does not start with its parent's prefix %(prefix)s."),
            code="prefix_mismatch",
            value=code,
            prefix=parent.prefix,
        )


def find_region_for(actor: User, code: str, field: str = "parent_code") -> Region:
    """A region by code within the actor's scope; unknown and out-of-scope read the same."""
    region = Region.objects.visible_to(actor).filter(code=code.strip()).first()
    if region is None:
        raise invalid(field, _("Unknown region code: %(value)s."), code="unknown_region", value=code)
    return region


@transaction.atomic
def region_create(*, actor: User, code: str, name: str, level: str, parent: Region | None) -> Region:
    require(actor, "regions.manage")
    name = name.strip()
    if not name:
        raise invalid("name", _("A name is required."), code="required")
    code = validate_region_code(code, level)
    if parent is None and not (actor.is_superuser and not actor.scope_region_id):
        # Only a bootstrap superuser may create a root; everyone else builds inside their scope.
        raise invalid("parent_code", _("A parent region is required."), code="required")
    if parent is not None and not in_scope(actor, parent.code):
        raise invalid("parent_code", _("Unknown region code: %(value)s."), code="unknown_region", value=parent.code)
    _check_parent(code=code, level=level, parent=parent)
    if Region.objects.filter(code=code).exists():
        raise invalid("code", _("The region code %(value)s already exists."), code="duplicate", value=code)
    region = Region.objects.create(
        code=code, name=name, level=level, parent=parent, prefix=code[: PREFIX_LENGTH[level]]
    )
    audit_record(
        actor=actor,
        action="region.create",
        obj=region,
        region_code=region.code,
        after=snapshot(region, REGION_FIELDS),
    )
    network_changed(Region, region.code)
    return region


@transaction.atomic
def region_update(*, actor: User, region: Region, name: str | None = None, parent: Region | None = None) -> Region:
    """Rename a region, or move it under another parent of the right level whose prefix it shares."""
    require(actor, "regions.manage")
    region = Region.objects.select_for_update().get(pk=region.pk)
    before = snapshot(region, REGION_FIELDS)
    moved: list[str] = []
    if name is not None:
        if not name.strip():
            raise invalid("name", _("A name is required."), code="required")
        region.name = name.strip()
    if parent is not None and parent.pk != region.parent_id:
        if parent.pk == region.pk or parent.code.startswith(region.prefix):
            raise invalid(
                "parent_code",
                _("A region cannot be moved under itself or one of its own sub-regions."),
                code="cycle",
            )
        _check_parent(code=region.code, level=region.level, parent=parent)
        moved = [region.parent.code if region.parent else "", parent.code]
        region.parent = parent
    region.save()
    audit_record(
        actor=actor,
        action="region.update",
        obj=region,
        region_code=region.code,
        before=before,
        after=snapshot(region, REGION_FIELDS),
    )
    network_changed(Region, region.code, *moved)
    return region


@transaction.atomic
def station_save(*, actor: User, region: Region, data: dict[str, Any]) -> Station:
    """Create the region's station or update it."""
    require(actor, "stations.manage")
    if region.level == Level.GRID:
        raise invalid("region", _("Grids have no station; appoint a grid leader instead."), code="grid_has_no_station")
    data = {k: v for k, v in data.items() if k in STATION_FIELDS}
    data["name"] = str(data.get("name") or "").strip()
    if not data["name"]:
        raise invalid("name", _("A name is required."), code="required")
    data["phone"] = validate_phone(str(data.get("phone") or ""))
    station = Station.objects.select_for_update().filter(region=region).first()
    before = station_view(station) if station else None
    if station is None:
        station = Station(region=region, kind=STATION_KIND_BY_LEVEL[region.level])
    for key, value in data.items():
        setattr(station, key, value)
    station.full_clean(exclude=["region"])
    station.save()
    audit_record(
        actor=actor,
        action="station.create" if before is None else "station.update",
        obj=station,
        region_code=region.code,
        before=before,
        after=station_view(station),
    )
    network_changed(Station, region.code)
    return station


@transaction.atomic
def station_designate(
    *, actor: User, station: Station, designation: str, year: int, note: str = ""
) -> StationDesignation:
    require(actor, "stations.manage")
    if designation not in Designation.values:
        raise invalid("designation", _("Choose one of the listed designations."), code="bad_choice")
    if not 2018 <= int(year) <= timezone.localdate().year:
        raise invalid("year", _("The year must be between 2018 and this year."), code="bad_year")
    if StationDesignation.objects.filter(station=station, designation=designation).exists():
        raise invalid("designation", _("This station already holds that designation."), code="duplicate")
    item = StationDesignation.objects.create(station=station, designation=designation, year=year, note=note.strip())
    audit_record(
        actor=actor,
        action="station.designate",
        obj=item,
        region_code=station.region.code,
        after=snapshot(item, ["station", "designation", "year", "note"]),
    )
    network_changed(StationDesignation, station.region.code)
    return item


def stars_for(total: Decimal) -> int:
    for threshold, stars in STAR_THRESHOLDS:
        if total >= threshold:
            return stars
    return 1


@transaction.atomic
def star_rating_record(
    *, actor: User, station: Station, year: int, scores: dict[str, Decimal], note: str = ""
) -> StarRating:
    """Score every active criterion; the stars follow from the total scaled to 100."""
    require(actor, "stations.manage")
    criteria = list(StarCriterion.objects.filter(active=True))
    if not criteria:
        raise ValidationError(_("No star rating criteria are configured."), code="no_criteria")
    if not 2018 <= int(year) <= timezone.localdate().year:
        raise invalid("year", _("The year must be between 2018 and this year."), code="bad_year")
    if StarRating.objects.filter(station=station, year=year).exists():
        raise invalid("year", _("This station has already been rated for %(year)s."), code="duplicate", year=year)
    errors: dict[str, Any] = {}
    clean: dict[int, Decimal] = {}
    known = {c.code for c in criteria}
    for unknown in sorted(set(scores) - known):
        errors[unknown] = invalid(None, _("There is no active criterion with this code."), code="unknown_criterion")
    for criterion in criteria:
        raw = scores.get(criterion.code)
        try:
            value = Decimal(str(raw))
        except Exception:
            errors[criterion.code] = invalid(None, _("Enter a score."), code="bad_score")
            continue
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            errors[criterion.code] = invalid(
                None, _("The score must be between 0 and %(max)s."), code="bad_score", max=criterion.max_score
            )
            continue
        clean[criterion.pk] = value.quantize(Decimal("0.1"))
    if errors:
        raise ValidationError(errors)
    max_total = sum((c.max_score for c in criteria), Decimal(0))
    total = (sum(clean.values(), Decimal(0)) * 100 / max_total).quantize(Decimal("0.1"))
    rating = StarRating.objects.create(
        station=station,
        year=year,
        total_score=total,
        stars=stars_for(total),
        rated_by=actor,
        note=note.strip(),
    )
    StarRatingScore.objects.bulk_create(
        StarRatingScore(rating=rating, criterion_id=pk, score=value) for pk, value in clean.items()
    )
    audit_record(
        actor=actor,
        action="station.star_rating",
        obj=rating,
        region_code=station.region.code,
        after={
            "year": year,
            "total_score": total,
            "stars": rating.stars,
            "scores": {c.code: clean[c.pk] for c in criteria},
        },
    )
    network_changed(StarRating, station.region.code)
    return rating


def _check_term(*, grid: Region, leader_name: str, leader_phone: str, start_date: dt.date) -> tuple[str, str]:
    if grid.level != Level.GRID:
        raise invalid("grid", _("Leaders are appointed to grids only."), code="not_a_grid")
    leader_name = leader_name.strip()
    if not leader_name:
        raise invalid("leader_name", _("A name is required."), code="required")
    if start_date > timezone.localdate() + dt.timedelta(days=31):
        raise invalid("start_date", _("The start date is too far in the future."), code="future")
    latest = GridLeaderTerm.objects.filter(grid=grid, end_date__isnull=False).order_by("-end_date").first()
    if latest is not None and start_date <= latest.end_date:  # type: ignore[operator]
        raise invalid(
            "start_date",
            _("The term overlaps the previous leader's term, which ended on %(date)s."),
            code="overlap",
            date=latest.end_date,
        )
    return leader_name, validate_phone(leader_phone, "leader_phone")


@transaction.atomic
def grid_leader_appoint(
    *,
    actor: User,
    grid: Region,
    leader_name: str,
    start_date: dt.date,
    leader_phone: str = "",
    user: User | None = None,
    note: str = "",
) -> GridLeaderTerm:
    """Appoint a leader to a grid that has none in office."""
    require(actor, "grids.manage")
    grid = Region.objects.select_for_update().get(pk=grid.pk)
    current = GridLeaderTerm.objects.filter(grid=grid, end_date__isnull=True).first()
    if current is not None:
        raise invalid(
            "leader_name",
            _("This grid already has a leader in office (%(name)s); rotate instead."),
            code="leader_in_office",
            name=current.leader_name,
        )
    leader_name, leader_phone = _check_term(
        grid=grid, leader_name=leader_name, leader_phone=leader_phone, start_date=start_date
    )
    term = GridLeaderTerm.objects.create(
        grid=grid,
        leader_name=leader_name,
        leader_phone=leader_phone,
        user=user,
        start_date=start_date,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="grid.leader_appoint",
        obj=term,
        region_code=grid.code,
        after=term_view(term),
    )
    network_changed(GridLeaderTerm, grid.code)
    return term


@transaction.atomic
def grid_leader_rotate(
    *,
    actor: User,
    grid: Region,
    leader_name: str,
    start_date: dt.date,
    leader_phone: str = "",
    user: User | None = None,
    note: str = "",
) -> GridLeaderTerm:
    """轮值: end the current leader's term the day before and appoint the next leader."""
    require(actor, "grids.manage")
    grid = Region.objects.select_for_update().get(pk=grid.pk)
    current = GridLeaderTerm.objects.select_for_update().filter(grid=grid, end_date__isnull=True).first()
    if current is not None:
        if start_date <= current.start_date:
            raise invalid(
                "start_date",
                _("The new term must start after the current leader's term began (%(date)s)."),
                code="overlap",
                date=current.start_date,
            )
        before = term_view(current)
        current.end_date = start_date - dt.timedelta(days=1)
        current.save(update_fields=["end_date"])
        audit_record(
            actor=actor,
            action="grid.leader_end",
            obj=current,
            region_code=grid.code,
            before=before,
            after=term_view(current),
        )
    return grid_leader_appoint(
        actor=actor,
        grid=grid,
        leader_name=leader_name,
        start_date=start_date,
        leader_phone=leader_phone,
        user=user,
        note=note,
    )
