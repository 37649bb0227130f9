"""The contact frequencies the bureau starts from (the migration's data, and the tests' after a flush)."""

from __future__ import annotations

from typing import Any


def seed(apps: Any, schema_editor: Any) -> None:
    """重点人员 monthly, 优抚对象 quarterly, everyone else yearly (kept when already there)."""
    frequency = apps.get_model("care", "ContactFrequency")
    tag = apps.get_model("veterans", "Tag")
    key_person = tag.objects.filter(code="key_person").first()
    if key_person is not None:
        frequency.objects.get_or_create(
            code="key_person", defaults={"label": "重点人员", "tag": key_person, "months": 1}
        )
    frequency.objects.get_or_create(
        code="special_care", defaults={"label": "优抚对象", "any_category": True, "months": 3}
    )
    frequency.objects.get_or_create(code="everyone", defaults={"label": "其他退役军人", "months": 12})
