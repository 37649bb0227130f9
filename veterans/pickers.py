"""The person picker: find a veteran of the user's scope by name, pinyin or initials, or the last digits of the
ID number, shown with the masked ID and the village, stored as the record's id."""

from __future__ import annotations

from typing import Any

from core.pickers import LIMIT, Choice, PickerField, Source
from veterans.models import Veteran
from veterans.selectors import search


def _choice(v: Veteran) -> Choice:
    return Choice(value=str(v.pk), label=f"{v.name} · {v.id_number_masked}", detail=v.region.name)


class PersonSource(Source):
    url_name = "veterans:pick"

    def _visible(self, user: Any) -> Any:
        return Veteran.objects.visible_to(user).select_related("region")

    def search(self, user: Any, q: str, *, limit: int = LIMIT, exact: bool = False, **_: Any) -> list[Choice]:
        if not q:
            return []
        qs = self._visible(user)
        if exact:
            # the picker's own text ("张三 · 330482********1234"): the name, then the masked number checked below
            name, _sep, masked = q.partition("·")
            found = [v for v in search(qs, name.strip())[: limit + 20] if v.name == name.strip()]
            if masked.strip():
                found = [v for v in found if v.id_number_masked == masked.strip()]
            return [_choice(v) for v in found[:limit]]
        return [_choice(v) for v in search(qs, q).order_by("name_pinyin", "id")[:limit]]

    def to_value(self, stored: str) -> int:
        if not (stored.isascii() and stored.isdigit()) or len(stored) > 18:
            raise ValueError(stored)
        return int(stored)

    def label(self, user: Any, value: str) -> Choice | None:
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None
        veteran = self._visible(user).filter(pk=int(value)).first()
        return _choice(veteran) if veteran is not None else None


PEOPLE = PersonSource()


def person_field(label: Any, **kwargs: Any) -> PickerField:
    """A form field that picks a veteran of the user's scope and gives the record's id (as text)."""
    return PickerField(PEOPLE, label=label, empty_is_none=True, **kwargs)
