"""One validation of a veteran's data, used by the form, the API and every import row."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCollector, invalid
from core.parsing import Memo, date_value, direct, enum_value, is_blank, text
from core.validators import IdNumber, normalise, parse_id_number, validate_phone
from regions.models import Level, Region
from veterans import choices as c

PARTY = {"party_member", "probationary_member"}
_SPLIT = re.compile(r"[；;、,，]")


@dataclass
class VeteranData:
    """Clean values, ready for the service to store."""

    name: str
    id_number: IdNumber
    region: Region
    enlisted_on: dt.date
    enlisted_precision: str
    discharged_on: dt.date
    discharged_precision: str
    discharge_type: str
    values: dict[str, Any] = field(default_factory=dict)  # the optional fields by model name
    categories: list[str] = field(default_factory=list)
    disability_grade: int | None = None
    disability_cause: str = ""
    phone: str = ""
    tags: list[Any] | None = None  # Tag rows; None leaves a record's tags as they are


def _categories(value: Any) -> list[str]:
    if is_blank(value):
        return []
    items = value if isinstance(value, (list, tuple)) else _SPLIT.split(normalise(value))
    found = [enum_value(item, "categories", c.CATEGORIES) for item in items if not is_blank(item)]
    return list(dict.fromkeys(found))


def tag_catalog() -> dict[str, Any]:
    """Every tag by its code and by its name, as ``clean_veteran`` takes it (an import reads it once)."""
    from veterans.models import Tag

    tags = list(Tag.objects.all())
    return {t.code: t for t in tags} | {t.name: t for t in tags}


def _tags(value: Any, field: str, *, catalog: dict[str, Any]) -> list[Any]:
    if is_blank(value):
        return []
    items = value if isinstance(value, (list, tuple)) else _SPLIT.split(normalise(value))
    wanted = [normalise(i) for i in items if not is_blank(i)]
    unknown = [w for w in wanted if w not in catalog]
    if unknown:
        allowed = "、".join(sorted({t.name for t in catalog.values()}))
        raise invalid(field, _("%(value)s is not in the list; use one of: %(allowed)s."), code="bad_choice",
                      value="、".join(unknown), allowed=allowed)  # fmt: skip
    return list({catalog[w].pk: catalog[w] for w in wanted}.values())


def _grade(value: Any) -> int | None:
    if is_blank(value):
        return None
    raw = normalise(value).removesuffix("级")
    try:
        number = float(raw)
        grade = int(number) if number.is_integer() else 0
    except (ValueError, OverflowError):  # "abc"; "inf" and "1e400" overflow int()
        grade = 0
    if not 1 <= grade <= 10:
        raise invalid("disability_grade", _("The disability grade is a whole number from 1 to 10."),
                      code="bad_grade")  # fmt: skip
    return grade


def clean_veteran(
    raw: dict[str, Any],
    *,
    regions: dict[str, Region],
    today: dt.date | None = None,
    memo: Memo | None = None,
    tags: dict[str, Any] | None = None,
) -> VeteranData:
    """Validate everything at once; raise one ValidationError naming every bad field.

    ``regions`` maps the codes the caller may use (its scope, village and grid levels) to regions, and
    ``tags`` is the ``tag_catalog()``, read here when the input names tags and it is not given. An
    import passes both (its rows must not query: see core/imports.py) and a ``Memo``: the fields that
    take few distinct values (dates, codes, list terms) are parsed once per value, not once per row.
    """
    today = today or timezone.localdate()
    errors = ErrorCollector()
    kept = memo or direct
    name = errors.check(text, raw.get("name"), "name", max_length=50, required=True)
    id_number = errors.check(parse_id_number, raw.get("id_number"), "id_number", today=today)
    region_code = errors.check(kept, text, raw.get("region_code"), "region_code", max_length=15, required=True)
    region = regions.get(normalise(region_code)) if region_code else None
    if region_code and region is None:
        errors.add(invalid("region_code", _("Unknown region code: %(value)s."), code="unknown_region",
                           value=region_code))  # fmt: skip
    elif region is not None and region.level not in (Level.VILLAGE, Level.GRID):
        errors.add(invalid("region_code", _("A veteran lives in a village or a grid, not a %(level)s."),
                           code="bad_region_level", level=Level(region.level).label))  # fmt: skip
    enlisted = errors.check(kept, date_value, raw.get("enlisted_on"), "enlisted_on", required=True, allow_month=True,
                            today=today) or (None, "day")  # fmt: skip
    discharged = errors.check(kept, date_value, raw.get("discharged_on"), "discharged_on", required=True,
                              allow_month=True, today=today) or (None, "day")  # fmt: skip
    if enlisted[0] and discharged[0] and discharged[0] < enlisted[0]:
        errors.add(invalid("discharged_on", _("The discharge date is before the enlistment date."),
                           code="discharge_before_enlistment"))  # fmt: skip
    discharge_type = errors.check(kept, enum_value, raw.get("discharge_type"), "discharge_type", c.DISCHARGE_TYPES,
                                  required=True)  # fmt: skip

    values: dict[str, Any] = {}
    gender = errors.check(kept, enum_value, raw.get("gender"), "gender", c.GENDERS)
    birth = errors.check(kept, date_value, raw.get("birth_date"), "birth_date", today=today) or (None, "day")
    if id_number is not None:
        if gender and gender != id_number.gender:
            errors.add(invalid("gender", _("The gender contradicts the ID number."), code="gender_mismatch"))
        if birth[0] and birth[0] != id_number.birth_date:
            errors.add(invalid("birth_date", _("The birth date contradicts the ID number (%(value)s)."),
                               code="birth_date_mismatch", value=id_number.birth_date))  # fmt: skip
        if enlisted[0] and enlisted[0] < id_number.birth_date:
            errors.add(invalid("enlisted_on", _("The enlistment date is before the birth date."),
                               code="enlisted_before_birth"))  # fmt: skip
    ethnicity = errors.check(kept, text, raw.get("ethnicity"), "ethnicity", max_length=10)
    if ethnicity and ethnicity not in c.ETHNICITIES:
        if ethnicity + "族" in c.ETHNICITIES:
            ethnicity += "族"
        else:
            errors.add(invalid("ethnicity", _("%(value)s is not one of the 56 ethnic groups."),
                               code="bad_choice", value=ethnicity))  # fmt: skip
    values["ethnicity"] = ethnicity or ""
    phone = errors.check(validate_phone, raw.get("phone"), "phone") or ""
    for name_, max_length in [("address", 200), ("rank", 30), ("awards", 500), ("note", 500)]:
        values[name_] = errors.check(text, raw.get(name_), name_, max_length=max_length) or ""
    hukou = errors.check(kept, text, raw.get("hukou_region_code"), "hukou_region_code", max_length=15) or ""
    if hukou and not (hukou.isascii() and hukou.isdigit() and len(hukou) in (6, 9, 12)):
        errors.add(invalid("hukou_region_code", _("A household registration code has 6, 9 or 12 digits."),
                           code="bad_code_shape"))  # fmt: skip
    values["hukou_region_code"] = hukou
    for name_, table in [("branch", c.BRANCHES), ("placement", c.PLACEMENTS),
                         ("political_status", c.POLITICAL_STATUSES), ("education", c.EDUCATION),
                         ("employment_status", c.EMPLOYMENT)]:  # fmt: skip
        values[name_] = errors.check(kept, enum_value, raw.get(name_), name_, table) or ""
    party_date = errors.check(kept, date_value, raw.get("party_joined_on"), "party_joined_on", today=today)
    values["party_joined_on"] = party_date[0] if party_date else None
    if values["party_joined_on"] and values["political_status"] not in PARTY and not errors.has("political_status"):
        errors.add(invalid("party_joined_on", _("A Party join date is given but the person is not a Party member."),
                           code="party_date_without_membership"))  # fmt: skip
    if values["party_joined_on"] and id_number is not None and values["party_joined_on"] < id_number.birth_date:
        errors.add(invalid("party_joined_on", _("The Party join date is before the birth date."),
                           code="party_before_birth"))  # fmt: skip

    categories = list(errors.check(kept, _categories, raw.get("categories")) or [])  # a copy of the one kept
    grade = errors.check(kept, _grade, raw.get("disability_grade"))
    cause = errors.check(kept, enum_value, raw.get("disability_cause"), "disability_cause", c.DISABILITY_CAUSES) or ""
    if (grade or cause) and "disabled_soldier" not in categories and not errors.has("categories"):
        errors.add(
            invalid(
                "disability_grade",
                _("A disability grade or cause is given but the category 残疾军人 is not."),
                code="disability_without_category",
            )
        )
    chosen = None
    if "tags" in raw:
        catalog = tag_catalog() if tags is None else tags
        chosen = errors.check(kept, _tags, raw.get("tags"), "tags", catalog=catalog)
        chosen = None if chosen is None else list(chosen)  # a copy of the one kept
    errors.raise_if_any()
    assert id_number is not None and region is not None and enlisted[0] and discharged[0]
    return VeteranData(
        name=name, id_number=id_number, region=region, enlisted_on=enlisted[0], enlisted_precision=enlisted[1],
        discharged_on=discharged[0], discharged_precision=discharged[1], discharge_type=discharge_type,
        values=values, categories=categories, disability_grade=grade, disability_cause=cause, phone=phone,
        tags=chosen,
    )  # fmt: skip
