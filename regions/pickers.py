"""The region picker: find a town, village or grid by its name, its pinyin or initials, or the start of its code,
within the user's scope,
shown with its path (平湖市 › 当湖街道 › 东湖村), stored as its code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from core.pickers import LIMIT, Choice, PickerField, Source
from core.pinyin import place_readings
from regions.models import LEVEL_ORDER, PREFIX_LENGTH, Level, Region, ancestor_code

#: Without script the field is a select of the user's scope: down to the deepest level that keeps it this short.
MAX_OPTIONS = 800

SEPARATOR = " › "


def _ancestor_codes(code: str, level: str) -> list[str]:
    """The codes of the regions above this one (a grid's village is its code's first 12 digits)."""
    above = LEVEL_ORDER[: LEVEL_ORDER.index(level)] if level in LEVEL_ORDER else []
    codes = [ancestor_code(code, lv) for lv in above]
    if level == Level.GRID:
        codes[-1] = code[:12]
    return codes


def _level_rank() -> Case:
    return Case(*[When(level=lv, then=Value(i)) for i, lv in enumerate(LEVEL_ORDER)], output_field=IntegerField())


class RegionSource(Source):
    url_name = "regions:pick"
    option_names = ("levels",)

    def _visible(self, user: Any, levels: Iterable[str] = ()) -> QuerySet[Region]:
        qs = Region.objects.visible_to(user)
        return qs.filter(level__in=list(levels)) if levels else qs

    def _with_paths(self, user: Any, regions: list[Region]) -> list[Choice]:
        """Each region with the path from the user's scope region down to it, in one query for the names."""
        prefix = str(getattr(user, "scope_prefix", "") or "")
        names = {r.code: r.name for r in regions}  # the whole scope's list holds its own ancestors
        wanted = {c for r in regions for c in _ancestor_codes(r.code, r.level) if c.startswith(prefix)} - set(names)
        if wanted:
            names.update(Region.objects.filter(code__in=wanted).values_list("code", "name"))
        choices = []
        for r in regions:
            path = [names[c] for c in _ancestor_codes(r.code, r.level) if c in names]
            label = SEPARATOR.join([*path, r.name])
            choices.append(Choice(value=r.code, label=label, detail=f"{Level(r.level).label} · {r.code}"))
        return choices

    def search(
        self, user: Any, q: str, *, limit: int = LIMIT, exact: bool = False, levels: Iterable[str] = (), **_: Any
    ) -> list[Choice]:
        qs = self._visible(user, levels)
        if exact:
            last = q.split("›")[-1].strip()
            qs = qs.filter(Q(name=last) | Q(code=q))
        elif q.isascii() and q.isdigit():
            qs = qs.filter(code__startswith=q)
        elif q.isascii() and q.isalpha():
            return self._with_paths(user, self._by_pinyin(qs, q.lower(), limit))
        elif q:
            qs = qs.filter(name__contains=q)
        else:  # nothing typed yet: the user's own region and what is right under it
            scope = getattr(user, "scope_region", None)
            qs = qs.filter(Q(pk=scope.pk) | Q(parent_id=scope.pk)) if scope is not None else qs.none()
        choices = self._with_paths(user, list(qs.annotate(rank=_level_rank()).order_by("rank", "code")[:limit]))
        if exact and len(choices) > 1 and "›" in q:  # a whole path typed (the select's text): the one it names
            choices = [c for c in choices if c.label.replace(" ", "") == q.replace(" ", "")]
        return choices

    def _by_pinyin(self, qs: QuerySet[Region], q: str, limit: int) -> list[Region]:
        """Regions whose name's pinyin or initials start with ``q`` (donghu, dhc: 东湖村), towns before villages.

        The names are read through in Python: a scope holds at most a province's 27,000 regions, and their
        readings are cached by name."""
        found: list[Region] = []
        ordered = qs.annotate(rank=_level_rank()).order_by("rank", "code").only("id", "code", "name", "level")
        for region in ordered.iterator(chunk_size=2000):
            if any(full.startswith(q) or initials.startswith(q) for full, initials in place_readings(region.name)):
                found.append(region)
                if len(found) >= limit:
                    break
        return found

    def label(self, user: Any, value: str) -> Choice | None:
        region = self._visible(user).filter(code=value).first()
        return self._with_paths(user, [region])[0] if region is not None else None

    def options(self, user: Any, *, levels: Iterable[str] = (), **_: Any) -> list[Choice] | None:
        qs = self._visible(user, levels)
        counts = {row["level"]: row["n"] for row in qs.order_by().values("level").annotate(n=Count("id"))}
        kept: list[str] = []
        total = 0
        for level in LEVEL_ORDER:
            if level in counts:
                if total + counts[level] > MAX_OPTIONS:
                    break
                kept.append(level)
                total += counts[level]
        if not kept:
            return None
        return self._with_paths(user, list(qs.filter(level__in=kept).order_by("code")))

    def clean_options(self, raw: Mapping[str, str]) -> dict[str, Any]:
        if "levels" not in raw:
            return {}
        levels = [lv.strip() for lv in raw["levels"].split(",") if lv.strip()]
        if not levels or any(lv not in PREFIX_LENGTH for lv in levels):
            raise ValueError(
                f"未知的区划级别：{raw['levels'][:40]} / Unknown region level: {raw['levels'][:40]}"
                f" ({', '.join(LEVEL_ORDER)})"
            )
        return {"levels": levels}


REGIONS = RegionSource()


def region_field(label: Any, *, levels: Iterable[str] = (), **kwargs: Any) -> PickerField:
    """A form field that picks a region of the user's scope (only these levels, when given) and gives its code."""
    kwargs.setdefault("required", False)
    return PickerField(REGIONS, options={"levels": list(levels)} if levels else None, label=label, **kwargs)
