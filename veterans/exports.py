"""The registry's export, declared once: the generic export job (``core.export_jobs``) does the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from core.exports import Export
from veterans import selectors
from veterans.forms import FilterForm
from veterans.services import EXPORT_HEADERS, export_rows


def clean_filters(data: Mapping[str, Any], strict: bool) -> dict[str, Any]:
    """The list's filters that apply, as JSON values. A malformed one is dropped (the list page shows it at
    its field; dropping them all would export the user's whole scope), or refused when ``strict``."""
    form = FilterForm({k: v for k, v in data.items() if k in FilterForm.base_fields})
    if not form.is_valid() and strict:
        raise ValidationError({field: errors for field, errors in form.errors.items()})
    data = getattr(form, "cleaned_data", {})
    fields = selectors.VeteranFilters.__dataclass_fields__
    return {k: v for k, v in data.items() if k in fields and v not in ("", None)}


def queryset(actor: Any, filters: dict[str, Any]) -> QuerySet[Any]:
    return selectors.veteran_list(user=actor, filters=selectors.VeteranFilters(**filters))


EXPORT = Export(
    name="veteran", capability="veterans.export", title="退役军人", file_stem="veterans", headers=EXPORT_HEADERS,
    clean_filters=clean_filters, queryset=queryset, rows=export_rows,
    audit_action="veteran.export", object_type="veterans.veteran", params=tuple(FilterForm.base_fields),
)  # fmt: skip
