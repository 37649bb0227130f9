"""The registers of quarterly rankings and of objections to them, declared on the kit: what a list filters on and
what a row shows (the pages' ``list_page``/``detail_page`` and an API's ``subject_router`` read them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from core.ids import Id
from points.models import Objection, Ranking
from points.process import OBJECTION, RANKING
from workflow.kit import Register, any_text


class RankingFilters(Schema):
    #: a quarter's key (``2026Q3``)
    quarter: str = ""
    #: ``notice`` (公示中) or ``final``
    state: str = ""


class RankingCaseOut(Schema):
    id: int
    case_id: int
    number: str
    quarter: str
    region_code: str
    state: str
    people: int
    frozen_at: dt.datetime
    final_at: dt.datetime | None


def ranking_out(r: Ranking) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "number": r.case.number,
        "quarter": r.quarter,
        "region_code": r.region_code,
        "state": r.state,
        "people": r.people,
        "frozen_at": r.frozen_at,
        "final_at": r.final_at,
    }


RANKINGS = Register(
    model=Ranking,
    process=RANKING,
    path="points-rankings",
    filters=RankingFilters,
    search=any_text("case__number", "case__title"),
    out=RankingCaseOut,
    to_out=ranking_out,
    related=("case",),
)


class ObjectionFilters(Schema):
    #: ``pending``, ``upheld`` or ``dismissed``
    outcome: str = ""
    quarter: str = ""
    veteran: Id | None = None


class ObjectionOut(Schema):
    id: int
    case_id: int
    number: str
    ranking_case_id: int
    quarter: str
    veteran_id: int
    veteran_name: str
    disputed_id: int | None
    claim: str
    outcome: str
    reversal_id: int | None
    region_code: str


def objection_out(o: Objection) -> dict[str, Any]:
    return {
        "id": o.pk,
        "case_id": o.case_id,
        "number": o.case.number,
        "ranking_case_id": o.ranking.case_id,
        "quarter": o.ranking.quarter,
        "veteran_id": o.veteran_id,
        "veteran_name": o.veteran.name,
        "disputed_id": o.disputed_id,
        "claim": o.claim,
        "outcome": o.outcome,
        "reversal_id": o.reversal_id,
        "region_code": o.region_code,
    }


OBJECTIONS_REGISTER = Register(
    model=Objection,
    process=OBJECTION,
    path="points-objections",
    filters=ObjectionFilters,
    lookups={"quarter": "ranking__quarter", "veteran": "veteran_id"},
    search=any_text("case__number", "veteran__name"),
    out=ObjectionOut,
    to_out=objection_out,
    related=("case", "case__veteran", "ranking", "veteran", "disputed__version", "reversal"),
)
