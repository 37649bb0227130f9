"""Three quarters of “老兵本色” points for Pinghu's demo veterans, made through the real services.

The quarters are the last three that have ended (relative to ``timezone.localdate()``). The veterans are a
sample: every grid of eight villages (the demo's first village and three more of its town, four of 乍浦镇), so
the demo stays quick (a few thousand ledger rows, well under half a minute on SQLite). Each grid's leader
submits group activities (several veterans in one entry) and single entries with a photo (a 1×1 PNG); the
village station approves them; the village station submits the deductions and a county commendation, and the
town approves those (``entry_submit`` and ``workflow.services.act``). The home demo makes the first village's
station and the first grid's leader; the other villages' station and grid leader accounts are made here, with
no password (they cannot log in: they are the people who did the work in the demo).

Then, by the procedures:

- the oldest quarter is frozen for the city (by the bureau's staff), one objection is raised (by the village
  station), the town upholds it (the disputed row is reversed), and the final ranking is published. The
  objection period cannot have closed in a demo loaded in one go: the demo moves the ranking case's
  ``notice`` date back by ``POINTS_OBJECTION_DAYS + 1`` days (as the tests do), and says so in the audit log
  (``demo.backdate_notice``);
- the middle quarter is frozen for the first village's town and left in its objection period (公示中);
- the latest quarter stays open, a few entries still waiting for the village's approval (the inbox has work);
- a few veterans redeem points, and ``veteran_demo`` is bound to a veteran of its village (``User.veteran``)
  who has entries, an objection-free ranking row and a redemption of their own.

Idempotent: nothing is loaded when any points entry exists already (binding ``veteran_demo`` again changes
nothing either).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.services import audit_record
from core.context import batch as audit_batch
from core.crypto import decrypt
from points.entries import EntryInput, catalog_on, entry_submit, redeem
from points.models import Entry, ItemVersion, Kind, PointEntry, Ranking, Reward
from points.quarters import bounds, previous, quarter_of
from points.ranking import freeze, objection_open
from regions.demo import CITY_CODE
from regions.models import GridLeaderTerm, Level, Region, ancestor_code
from veterans.choices import Status
from veterans.models import Veteran
from workflow.models import Case, Task
from workflow.services import act

#: A 1×1 PNG: the evidence photo of every demo entry.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00000500010d0a2db40000000049454e44ae426082"
)
#: villages sampled in each of the two towns that have a demo station account
VILLAGES_PER_TOWN = 4
#: a grid's entries in a quarter: group activities and single entries
GROUPS_PER_GRID, SINGLES_PER_GRID = 2, 3
#: entries of the latest quarter left waiting for the village's approval: so many in so many villages
PENDING_PER_VILLAGE, PENDING_VILLAGES = 2, 3

#: what a grid leader records for a group: item code, hours or occasions (None: a fixed item)
GROUP_ITEMS = [
    ("volunteer-service", ("2", "3", "4")),
    ("education-study", ("1",)),
    ("safety-patrol", ("2", "3")),
    ("support-activity", ("1",)),
    ("governance-civility", ("1.5", "2")),
]
SINGLE_ITEMS = [
    ("volunteer-care", ("1", "2")),
    ("safety-mediation", ("1",)),
    ("governance-council", ("1", "2")),
    ("education-lecture", ("1",)),
    ("volunteer-service", ("1", "2.5")),
]
#: the town approves these (a deduction; an award of at least the item's town threshold)
STATION_ITEMS = [("conduct-covenant", None), ("merit-county", None)]
STORY = "education-story"  # a grid leader's entry worth 10, approved by the town

DESCRIPTIONS = {
    "volunteer-service": "社区志愿服务：敬老院助老、环境整治",
    "education-study": "参加主题党日理论学习",
    "safety-patrol": "夜间平安巡防",
    "support-activity": "八一双拥共建联谊活动",
    "governance-civility": "垃圾分类定时定点督导",
    "volunteer-care": "结对走访困难老兵",
    "safety-mediation": "协助调解邻里纠纷",
    "governance-council": "参加村社议事协商会",
    "education-lecture": "红色宣讲进村社",
    "conduct-covenant": "违反《老兵公约》，经批评教育",
    "merit-county": "获得县级表彰",
    STORY: "军旅故事被县级媒体刊播",
}


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("活动照片.png", PNG, content_type="image/png")


def quarters_ended(today: dt.date) -> list[str]:
    """The last three quarters that have ended, oldest first."""
    latest = previous(quarter_of(today))
    middle = previous(latest)
    return [previous(middle), middle, latest]


@dataclass
class Plan:
    """What the demo has put to each veteran so far: the caps and one item a day are kept before submitting."""

    versions: dict[str, ItemVersion]
    used: dict[tuple[int, str, str], int] = field(default_factory=lambda: defaultdict(int))
    days: set[tuple[int, str, dt.date]] = field(default_factory=set)

    def fits(self, vid: int, code: str, day: dt.date, points: int) -> bool:
        version = self.versions[code]
        if (vid, code, day) in self.days:
            return False
        quarter = quarter_of(day)
        if version.quarter_cap is not None and self.used[vid, code, quarter] + points > version.quarter_cap:
            return False
        return version.year_cap is None or self.used[vid, code, quarter[:4]] + points <= version.year_cap

    def take(self, vid: int, code: str, day: dt.date, points: int) -> None:
        quarter = quarter_of(day)
        self.days.add((vid, code, day))
        self.used[vid, code, quarter] += points
        self.used[vid, code, quarter[:4]] += points


def worth(version: ItemVersion, quantity: str | None) -> int:
    from points.entries import points_for

    return abs(points_for(version, Decimal(quantity or "1")))


class Loader:
    def __init__(self, users: dict[str, User], today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(12)
        self.plan = Plan({v.item.code: v for v in catalog_on(today)})
        self.towns = {u.scope_region.code[:9]: u for u in users.values()
                      if u.role == Role.TOWN_STAFF and u.scope_region is not None}  # fmt: skip
        self.city = next(u for u in users.values() if u.role == Role.CITY_STAFF)
        self.entries = 0
        self.pending: list[Entry] = []

    # --- the people ---------------------------------------------------------------------------------------

    def villages(self, first_village: str) -> list[Region]:
        """The first village and three more of its town, and four villages of another town with a station."""
        first_town = first_village[:9]
        others = sorted(t for t in self.towns if t != first_town)[:1]
        chosen: list[Region] = []
        for town in [first_town, *others]:
            found = Region.objects.filter(level=Level.VILLAGE, code__startswith=town).order_by("code")
            picked = [v for v in found if v.code == first_village] + [v for v in found if v.code != first_village]
            chosen += picked[:VILLAGES_PER_TOWN]
        return chosen

    def account(self, username: str, display: str, role: str, scope: Region) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display, "role": role, "scope_region": scope}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            audit_record(actor=None, action="demo.user_create", obj=user, region_code=scope.code,
                         after={"role": role, "scope": scope.code, "login": False})  # fmt: skip
        return user

    def station(self, village: Region) -> User:
        return self.account(f"village_{village.code}", f"{village.name}服务站", Role.VILLAGE_STAFF, village)

    def leader(self, grid: Region) -> User:
        term = GridLeaderTerm.objects.filter(grid=grid, end_date__isnull=True).first()
        user = self.account(f"grid_{grid.code}", term.leader_name if term else "网格班长", Role.GRID_LEADER, grid)
        if term is not None and term.user_id is None:
            GridLeaderTerm.objects.filter(pk=term.pk).update(user=user)
        return user

    # --- entries ------------------------------------------------------------------------------------------

    def day_in(self, quarter: str) -> dt.date:
        first, last = bounds(quarter)
        first = max(first, self.today - dt.timedelta(days=360))
        last = min(last, self.today - dt.timedelta(days=1))
        return first + dt.timedelta(days=self.rng.randrange((last - first).days + 1))

    def submit(self, actor: User, people: Sequence[Veteran], code: str, quantity: str | None, day: dt.date) -> Entry:
        version = self.plan.versions[code]
        points = worth(version, quantity)
        fitting = [v for v in people if self.plan.fits(v.pk, code, day, points)]
        if not fitting:
            raise LookupError
        entry = entry_submit(
            actor=actor,
            data=EntryInput(
                veterans=fitting, item=version.item, day=day, description=DESCRIPTIONS.get(code, ""),
                quantity=Decimal(quantity) if quantity is not None else None,
                evidence=[photo()] if version.evidence != "none" else [],
            ),
        )  # fmt: skip
        for v in fitting:
            self.plan.take(v.pk, code, day, points)
        self.entries += 1
        return entry

    def approve(self, entry: Entry, station: User) -> None:
        approver = self.towns[entry.region_code[:9]] if entry.town_approval else station
        task = Task.objects.get(case_id=entry.case_id, status=Task.Status.OPEN)
        act(actor=approver, task=task, action="approve", note="核实无误", data={})

    def quarter(self, quarter: str, village: Region, own: Veteran | None, *, leave_pending: int) -> None:
        station = self.station(village)
        grids = list(Region.objects.filter(parent=village, level=Level.GRID).order_by("code"))
        living = Veteran.objects.filter(region_code__startswith=village.code, status=Status.LIVING).order_by("id")
        by_grid: dict[str, list[Veteran]] = defaultdict(list)
        for v in living:
            by_grid[v.region_code].append(v)
        made: list[tuple[Entry, User]] = []
        for grid in grids:
            people = by_grid.get(grid.code, [])
            if not people:
                continue
            leader = self.leader(grid)
            for _ in range(GROUPS_PER_GRID):
                code, quantities = self.rng.choice(GROUP_ITEMS)
                group = self.rng.sample(people, max(1, int(len(people) * self.rng.uniform(0.3, 0.7))))
                if own is not None and own in people and own not in group:
                    group.append(own)
                made += self._try(leader, group, code, self.rng.choice(quantities), quarter)
            for n in range(SINGLES_PER_GRID):
                code, quantities = self.rng.choice(SINGLE_ITEMS)
                person = own if own is not None and own in people and n == 0 else self.rng.choice(people)
                made += self._try(leader, [person], code, self.rng.choice(quantities), quarter)
        everyone = [v for grid in grids for v in by_grid.get(grid.code, [])]
        if everyone:
            for code, quantity in STATION_ITEMS:
                made += self._try(station, [self.rng.choice(everyone)], code, quantity, quarter)
            first_leader = next((self.leader(g) for g in grids if by_grid.get(g.code)), None)
            first_people = next((by_grid[g.code] for g in grids if by_grid.get(g.code)), [])
            if first_leader is not None:
                made += self._try(first_leader, [self.rng.choice(first_people)], STORY, None, quarter)
        # the latest quarter keeps a few of the grid leaders' entries waiting for the village station
        waiting = [pair for pair in made if not pair[0].town_approval][-leave_pending:] if leave_pending else []
        for entry, by in made:
            if (entry, by) in waiting:
                self.pending.append(entry)
            else:
                self.approve(entry, station)

    def _try(self, actor: User, people: Sequence[Veteran], code: str, quantity: str | None, quarter: str) -> list:
        try:
            return [(self.submit(actor, people, code, quantity, self.day_in(quarter)), actor)]
        except LookupError:  # everyone of the group at the item's cap already (or that day taken)
            return []


# --- the rankings, an objection, redemptions ----------------------------------------------------------------


def _task(case_id: int) -> Task:
    return Task.objects.get(case_id=case_id, status=Task.Status.OPEN)


def finalise_city(loader: Loader, quarter: str, station: User, village: Region) -> Ranking:
    """Freeze the quarter for the city, uphold one objection, close the period (back-dated), publish."""
    city = Region.objects.get(code=CITY_CODE)
    ranking, _made = freeze(actor=loader.city, quarter=quarter, region=city)
    row = (
        PointEntry.objects.filter(quarter=quarter, region_code__startswith=village.code, kind=Kind.AWARD,
                                  reverses__isnull=True)
        .exclude(veteran__account__isnull=False)  # not veteran_demo's: their own ranking row stays as it is
        .order_by("-points", "id")
        .first()
    )  # fmt: skip
    if row is not None:
        objection = objection_open(actor=station, ranking=ranking, veteran=row.veteran_id, disputed=row,
                                   claim="本人当天在外地务工，未参加此次活动，积分登记有误。")  # fmt: skip
        act(actor=loader.towns[village.code[:9]], task=_task(objection.case_id), action="uphold",
            note="经核实当天未参加活动，撤销该条积分。", data={})  # fmt: skip
    case = Case.objects.get(pk=ranking.case_id)
    moved = (timezone.localdate() - dt.timedelta(days=settings.POINTS_OBJECTION_DAYS + 1)).isoformat()
    before = case.data["dates"]["notice"]
    case.data["dates"]["notice"] = moved
    case.save(update_fields=["data"])
    audit_record(actor=None, action="demo.backdate_notice", obj=case, region_code=case.region_code,
                 before={"notice": before}, after={"notice": moved},
                 reason="演示数据：公示期视为已结束 / demo: the objection period is taken as closed")  # fmt: skip
    act(actor=loader.city, task=_task(ranking.case_id), action="publish", note="公示期满，发布最终排名。", data={})
    ranking.refresh_from_db()
    return ranking


def redemptions(station: User, village: Region, own: Veteran | None, own_user: User | None) -> int:
    from points.models import Account

    rewards = {r.code: r for r in Reward.objects.filter(active=True)}
    cheap, dear = rewards["home-care"], rewards["books"]
    done = 0
    able = Account.objects.filter(region_code__startswith=village.code, balance__gte=cheap.cost)
    if own is not None:
        able = able.exclude(veteran=own)
    for account in able.order_by("-balance", "veteran_id")[:4]:
        prize = dear if account.balance >= dear.cost and done % 2 == 0 else cheap
        redeem(actor=station, veteran=account.veteran_id, reward=prize, note="服务站现场兑换")
        done += 1
    if own is not None and own_user is not None:
        mine = Account.objects.filter(veteran=own).first()
        if mine is not None and mine.balance >= cheap.cost:
            redeem(actor=own_user, veteran=own, reward=cheap, note="本人在线兑换")
            done += 1
    return done


#: ``veteran_demo``'s mobile when its record has none
DEMO_PHONE = "13900000001"


def bind_veteran_demo(users: dict[str, User], village_code: str) -> Veteran | None:
    """``veteran_demo``'s own record: a living veteran of its village not bound to anyone, the first paid a pension
    of their own if anyone there is."""
    user = next((u for u in users.values() if u.role == Role.VETERAN), None)
    if user is None:
        return None
    if user.veteran_id is not None:
        if not user.phone and user.veteran is not None:  # bound before the portal signed in by SMS code
            user.phone = decrypt(user.veteran.phone_enc) if user.veteran.phone_enc else DEMO_PHONE
            user.save(update_fields=["phone"])
        return user.veteran
    # one paid a pension of their own when the benefits demo paid any in the village (their portal shows it)
    paid_own = Count("entitlements", filter=Q(entitlements__family_member__isnull=True))
    person = (
        Veteran.objects.filter(region_code__startswith=village_code, status=Status.LIVING, account__isnull=True)
        .annotate(paid_own=paid_own)
        .order_by("-paid_own", "id")
        .first()
    )
    if person is None:
        return None
    user.veteran = person
    # the portal's sign-in by SMS code goes to the phone on the record (the demo's log backend shows the code)
    user.phone = decrypt(person.phone_enc) if person.phone_enc else DEMO_PHONE
    user.save(update_fields=["veteran", "phone"])
    audit_record(actor=None, action="demo.user_bind", obj=user, region_code=person.region_code,
                 after={"veteran": person.pk})  # fmt: skip
    return person


def load_points_demo(users: dict[str, User], first_village: str) -> dict[str, int]:
    """Load the points demo (see the module's docstring); return what was added."""
    added: dict[str, int] = {}
    with audit_batch(), transaction.atomic():
        own = bind_veteran_demo(users, first_village)
        if Entry.objects.exists() or not Veteran.objects.filter(region_code__startswith=first_village).exists():
            return added
        today = timezone.localdate()
        loader = Loader(users, today)
        oldest, middle, latest = quarters_ended(today)
        villages = loader.villages(first_village)
        first = next(v for v in villages if v.code == first_village)
        own_user = next((u for u in users.values() if u.role == Role.VETERAN), None)
        for quarter in (oldest, middle, latest):
            for index, village in enumerate(villages):
                mine = own if village.code == first_village else None
                waiting = PENDING_PER_VILLAGE if quarter == latest and index < PENDING_VILLAGES else 0
                loader.quarter(quarter, village, mine, leave_pending=waiting)
        station = loader.station(first)
        final = finalise_city(loader, oldest, station, first)
        town = Region.objects.get(code=ancestor_code(first_village, Level.TOWN))
        notice, _made = freeze(actor=loader.towns[first_village[:9]], quarter=middle, region=town)
        redeemed = redemptions(station, first, own, own_user)
        added["points entries"] = loader.entries
        added["points ledger rows"] = PointEntry.objects.count()
        added["points entries waiting for approval"] = len(loader.pending)
        added[f"points rankings ({final.quarter} final, {notice.quarter} in its objection period)"] = 2
        added["points redemptions"] = redeemed
    return added
