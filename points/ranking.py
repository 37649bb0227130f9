"""The quarterly ranking (一季度一公示): frozen once by a town or the city, publicised with an objection period,
objections decided by the town, then the final ranking published. Rows, once written, never change.

Freezing computes every veteran's score for the quarter (the sum of their awards and deductions dated in it,
net of reversals) and their ranks within the grid, the village, the town and (when a city or a larger area is
frozen) the city, in one ``INSERT … SELECT`` with window functions: ``RANK()``, so ties share a rank (1, 1, 3).
Freezing the same quarter and area again changes nothing; so does a second freeze sent at the same moment
(``one_ranking_per_quarter_and_region``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.db import analyze
from core.errors import invalid
from core.permissions import require
from points.models import (
    OBJECTION_PROCESS,
    RANKING_PROCESS,
    Entry,
    Kind,
    Objection,
    Outcome,
    Phase,
    PointEntry,
    Ranking,
    RankingRow,
    RankingState,
)
from points.quarters import OBJECTIONS, bounds, label, parse_quarter
from regions.models import Level, Region, ancestor_code, level_of, prefix_of
from veterans.models import Veteran
from workflow.models import Case, Task
from workflow.registry import PROCESSES

#: The levels an area may be frozen at: a town, or the city (or a larger area) at once.
FREEZE_LEVELS = (Level.TOWN, Level.CITY, Level.PREFECTURE, Level.PROVINCE)

_ROWS_SQL = """
INSERT INTO points_rankingrow
    (ranking_id, phase, veteran_id, name, region_code, grid_code, village_code, town_code, score, entries,
     rank_grid, rank_village, rank_town, rank_city)
SELECT %(ranking)s, %(phase)s, s.veteran_id, v.name, v.region_code,
       CASE WHEN length(v.region_code) = 15 THEN v.region_code ELSE '' END,
       substr(v.region_code, 1, 12),
       substr(v.region_code, 1, 9) || '000',
       s.score, s.entries,
       CASE WHEN length(v.region_code) = 15
            THEN RANK() OVER (PARTITION BY v.region_code ORDER BY s.score DESC) END,
       RANK() OVER (PARTITION BY substr(v.region_code, 1, 12) ORDER BY s.score DESC),
       RANK() OVER (PARTITION BY substr(v.region_code, 1, 9) ORDER BY s.score DESC),
       CASE WHEN %(with_city)s
            THEN RANK() OVER (PARTITION BY substr(v.region_code, 1, 6) ORDER BY s.score DESC) END
FROM (
    SELECT veteran_id, SUM(points) AS score,
           SUM(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END) AS entries
    FROM points_pointentry
    WHERE quarter = %(quarter)s AND kind <> %(redemption)s
    GROUP BY veteran_id
) s
JOIN veterans_veteran v ON v.id = s.veteran_id
WHERE v.region_code LIKE %(prefix)s
"""


def write_rows(ranking: Ranking, phase: str) -> int:
    """The ranking's rows for ``phase``, computed from the ledger as it stands: how many were written."""
    params: dict[str, Any] = {
        "ranking": ranking.pk,
        "phase": phase,
        "with_city": level_of(ranking.region_code) != Level.TOWN,
        "quarter": ranking.quarter,
        "redemption": Kind.REDEMPTION,
        "prefix": prefix_of(ranking.region_code) + "%",
    }
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL, params)
        written = max(cursor.rowcount, 0)
    # A city's or a province's freeze adds as many rows as the area has veterans: the planner learns of them
    # now, not when autovacuum comes by (until then it takes the table for empty, and a town's page scans the
    # whole ranking instead of the town's index).
    analyze(RankingRow)
    return written


def freeze(*, actor: Any, quarter: str, region: Region | str) -> tuple[Ranking, bool]:
    """Freeze the quarter's ranking for a town or the city (or larger), and open its objection period.

    Returns the ranking and whether this call froze it: freezing again returns the one already frozen and
    changes nothing. Refused while the quarter is not over, or while entries dated in it wait for approval."""
    require(actor, "points.freeze")
    quarter = parse_quarter(quarter)
    code = region.code if isinstance(region, Region) else str(region)
    area = Region.objects.visible_to(actor).filter(code=code).first()
    if area is None:
        raise invalid("region", _("No such area in your scope."), code="not_found")
    if area.level not in FREEZE_LEVELS:
        raise invalid("region", _("A ranking is frozen for a town or for the whole city."), code="bad_level")
    existing = Ranking.objects.filter(quarter=quarter, region_code=area.code).first()
    if existing is not None:
        return existing, False
    _first, last = bounds(quarter)
    if timezone.localdate() <= last:
        raise invalid("quarter", _("%(quarter)s is not over yet: it ends on %(last)s."), code="not_over",
                      quarter=label(quarter), last=last)  # fmt: skip
    waiting = Entry.objects.filter(
        quarter=quarter, region_code__startswith=prefix_of(area.code), case__state=Case.State.OPEN
    ).count()
    if waiting:
        raise invalid("quarter", _("%(n)s entries dated in %(quarter)s still wait for approval: decide them first."),
                      code="pending_entries", n=waiting, quarter=label(quarter))  # fmt: skip
    try:
        with transaction.atomic():
            ranking = _freeze(actor, quarter, area)
    except IntegrityError:  # another freeze of the same quarter and area committed first
        found = Ranking.objects.filter(quarter=quarter, region_code=area.code).first()
        if found is None:
            raise
        return found, False
    return ranking, True


def _freeze(actor: Any, quarter: str, area: Region) -> Ranking:
    from workflow.services import open_case

    today = timezone.localdate()
    case = open_case(
        actor=actor,
        process=PROCESSES[RANKING_PROCESS],
        title=f"{label(quarter)} {area.name} “老兵本色”积分排名",
        region_code=area.code,
        owner_code=area.code,
        data={"dates": {"notice": today.isoformat()}},
        subject={"quarter": quarter, "state": RankingState.NOTICE},
    )
    ranking: Ranking = case.subject
    people = write_rows(ranking, Phase.NOTICE)
    Ranking.objects.filter(pk=ranking.pk).update(people=people)
    ranking.people = people
    audit_record(actor=actor, action="points.freeze", obj=ranking, region_code=area.code,
                 after={"quarter": quarter, "people": people})  # fmt: skip
    return ranking


def publish_final(*, actor: Any, ranking: Ranking) -> None:
    """The ranking case's last action (after the objection period): the final rows, with every upheld
    objection's reversal counted. Refused while an objection is undecided."""
    if ranking.state != RankingState.NOTICE:
        raise invalid(None, _("The final ranking is already published."), code="already_final")
    pending = Objection.objects.filter(ranking=ranking, outcome=Outcome.PENDING).count()
    if pending:
        raise invalid(None, _("%(n)s objections are still undecided: decide them first."), code="pending_objections",
                      n=pending)  # fmt: skip
    ranking.people = write_rows(ranking, Phase.FINAL)
    ranking.state = RankingState.FINAL
    ranking.final_at = timezone.now()
    audit_record(actor=actor, action="points.publish", obj=ranking, region_code=ranking.region_code,
                 after={"quarter": ranking.quarter, "people": ranking.people})  # fmt: skip


def rows(ranking: Ranking, *, within: str = "") -> Any:
    """The ranking's rows as published (final once it is, else the notice), optionally those of a sub-area,
    best first."""
    phase = Phase.FINAL if ranking.state == RankingState.FINAL else Phase.NOTICE
    qs = RankingRow.objects.filter(ranking=ranking, phase=phase)
    level = level_of(within) if within else None
    if level in (Level.TOWN, Level.VILLAGE, Level.GRID):
        # by the rows' own columns, the town's first: the index (ranking, phase, town_code, rank_town) finds them
        # already in order (the rank in the town is the score's order within it), so a page reads its own rows
        qs = qs.filter(town_code=ancestor_code(within, Level.TOWN))
        if level == Level.VILLAGE:
            qs = qs.filter(village_code=within)
        elif level == Level.GRID:
            qs = qs.filter(grid_code=within)
        return qs.order_by("rank_town", "veteran_id")
    if within:
        qs = qs.filter(region_code__startswith=prefix_of(within))
    return qs.order_by("-score", "veteran_id")


def covering(quarter: str, code: str, *, among: Any = None) -> Ranking | None:
    """The narrowest frozen ranking of the quarter that covers the area ``code`` (a town's before the city's),
    of ``among`` (a user's ``Ranking.objects.visible_to``) or of all."""
    candidates = (Ranking.objects.all() if among is None else among).filter(quarter=quarter)
    found = [r for r in candidates if code.startswith(prefix_of(r.region_code))]
    return max(found, key=lambda r: len(prefix_of(r.region_code)), default=None)


# --- objections -----------------------------------------------------------------------------------------------


def objection_open(
    *, actor: Any, ranking: Ranking | int, veteran: Veteran | int, disputed: PointEntry | int | None, claim: str
) -> Objection:
    """Object to a row of a publicised ranking within its objection period: the veteran themself, or a station
    for them. The town decides; upheld, the disputed row is reversed before the final ranking."""
    from workflow.services import open_case
    from workflow.windows import refuse_outside

    vid = veteran.pk if isinstance(veteran, Veteran) else veteran
    own = actor.can("points.object_own") and getattr(actor, "veteran_id", None) == vid
    if not own:
        require(actor, "points.object")
    person = (Veteran.objects.filter(pk=vid) if own else Veteran.objects.visible_to(actor).filter(pk=vid)).first()
    if person is None:
        raise invalid("veteran", _("No such veteran in your area."), code="not_found")
    rid = ranking.pk if isinstance(ranking, Ranking) else ranking
    frozen = Ranking.objects.select_related("case").filter(pk=rid).first()
    if frozen is None or not RankingRow.objects.filter(ranking=frozen, veteran=person).exists():
        raise invalid("ranking", _("%(name)s is not in this ranking."), code="not_ranked", name=person.name)
    if frozen.state != RankingState.NOTICE:
        raise invalid("ranking", _("The final ranking is published: objections are closed."), code="objection_late")
    task = Task.objects.filter(case=frozen.case, status=Task.Status.OPEN).first()
    if task is None:
        raise invalid("ranking", _("The final ranking is published: objections are closed."), code="objection_late")
    refuse_outside(OBJECTIONS, frozen.case, task)
    claim = (claim or "").strip()
    if not claim:
        raise invalid("claim", _("Say what is wrong."), code="required")
    if len(claim) > 1000:
        raise invalid("claim", _("At most %(n)s characters."), code="too_long", n=1000)
    row = _disputed(person, frozen, disputed)
    if Objection.objects.filter(ranking=frozen, disputed=row, outcome=Outcome.PENDING).exists():
        raise invalid("disputed", _("An objection to this row is already under review."), code="duplicate")
    with transaction.atomic():
        case = open_case(
            actor=actor,
            process=PROCESSES[OBJECTION_PROCESS],
            title=f"{person.name} · {label(frozen.quarter)}",
            region_code=person.region_code,
            owner_code=actor.scope_region.code if actor.scope_region_id else person.region_code,
            veteran=person,
            subject={"ranking": frozen, "veteran": person, "disputed": row, "claim": claim},
            note=claim,
            automatic=own,  # the veteran's own objection: checked above
        )
    objection: Objection = case.subject
    return objection


def _disputed(person: Veteran, ranking: Ranking, disputed: PointEntry | int | None) -> PointEntry:
    if disputed is None:
        raise invalid("disputed", _("Choose the entry the objection is about."), code="required")
    pk = disputed.pk if isinstance(disputed, PointEntry) else disputed
    row = (
        PointEntry.objects.filter(
            pk=pk, veteran=person, quarter=ranking.quarter, kind__in=(Kind.AWARD, Kind.DEDUCTION), reverses__isnull=True
        )
        .select_related("version")
        .first()
    )
    if row is None:
        raise invalid("disputed", _("This is not one of the veteran's entries of the quarter."), code="not_disputable")
    return row


def uphold(*, actor: Any, objection: Objection, note: str) -> None:
    """The town upholds the objection: the disputed row is reversed, naming the objection."""
    from points.entries import correct

    if objection.disputed is None:
        raise invalid(None, _("The objection names no entry to reverse."), code="nothing_to_reverse")
    if PointEntry.objects.filter(reverses=objection.disputed).exists():
        raise invalid(None, _("The disputed entry has already been reversed: dismiss the objection with a note."),
                      code="already_reversed")  # fmt: skip
    try:
        reversal = correct(actor=actor, row=objection.disputed, reason=note, objection=objection)
    except PermissionDenied:
        raise invalid(None, _("Only the town may uphold an objection."), code="not_town") from None
    objection.reversal = reversal
    objection.outcome = Outcome.UPHELD


# --- what the pages read ----------------------------------------------------------------------------------------


def period(ranking: Ranking) -> Any:
    """The objection period's dates on the ranking's case (a ``workflow.windows.Span``), or None before it opens."""
    from workflow.windows import span

    # The period is anchored on the case's "notice" date: the step's task is read only by an unanchored window,
    # so a list of rankings costs no query per row for it.
    task = None if OBJECTIONS.anchor else Task.objects.filter(case_id=ranking.case_id).order_by("id").first()
    return span(OBJECTIONS, ranking.case, task)  # type: ignore[arg-type]  # anchored: the task is not read


def objection_window_open(ranking: Ranking) -> bool:
    """Whether objections may be raised now: publicised, and today inside the period."""
    dates = period(ranking)
    return ranking.state == RankingState.NOTICE and dates is not None and dates.contains(timezone.localdate())


def own_rows(veteran: Veteran | int) -> Any:
    """A veteran's own rows of every ranking they are in (the portal's “my ranking”), newest quarter first: the
    record they are bound to, whatever area the ranking covers."""
    vid = veteran.pk if isinstance(veteran, Veteran) else veteran
    return (
        RankingRow.objects.filter(veteran_id=vid)
        .select_related("ranking__case")
        .order_by("-ranking__quarter", "ranking__region_code", "phase")
    )
