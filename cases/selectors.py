"""Scoped reads of 一件事 cases, through the kit's selectors on the register."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.models import LifeCase, Stage
from cases.register import LIFE_CASES
from workflow.kit import subject_by_case, subject_list

__all__ = ["Stage", "life_case_by_case", "life_case_list"]


def life_case_list(*, user: Any, stage: str = "", state: str = "", veteran: int | None = None) -> QuerySet[LifeCase]:
    return subject_list(LIFE_CASES, user=user, stage=stage, state=state, veteran=veteran)


def life_case_by_case(*, user: Any, case_pk: int) -> LifeCase:
    life: LifeCase = subject_by_case(LIFE_CASES, user=user, case_pk=case_pk)
    return life
