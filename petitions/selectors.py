"""Scoped reads of petitions, through the kit's selectors on the petitions register."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from petitions.models import Petition
from petitions.register import PETITIONS
from workflow.kit import subject_by_case, subject_list


def petition_list(
    *, user: Any, q: str = "", state: str = "", channel: str = "", subject: str = ""
) -> QuerySet[Petition]:
    return subject_list(PETITIONS, user=user, q=q, state=state, channel=channel, subject=subject)


def petition_by_case(*, user: Any, case_pk: int) -> Petition:
    petition: Petition = subject_by_case(PETITIONS, user=user, case_pk=case_pk)
    return petition
