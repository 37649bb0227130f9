"""身后事 opens by itself when the registry records a death, in the same transaction (see veterans.signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cases.services import open_after_death
from veterans.signals import veteran_deceased


@receiver(veteran_deceased)
def open_after_death_case(sender: Any, veteran: Any, actor: Any, **kwargs: Any) -> None:
    open_after_death(actor=actor, veteran=veteran)
