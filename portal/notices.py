"""Notices to veterans (in their portal always; by SMS too unless they opted out): a payment made or held back,
a need resolved and its 回访 due, a ranking published, a petition moving on, a request to correct the record
answered, a policy change (a program's new standard) and a campaign's greeting. Each is sent once per event
(``core.notify``'s key), to the veteran's own account and to the family members acting for them (代办).

They are heard from the modules' events after the commit; a veteran with no account is not told (the station
is, as before)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Proxy, User
from benefits import batches, standards  # noqa: F401  # declare payments_returned, standard_published
from campaigns import services as campaigns  # noqa: F401  # declares campaign_progressed
from core import events
from core.models import Notification
from core.notify import notify
from portal.selectors import step_label


def represented(path: str) -> Q:
    """Rows whose veteran (at ``path``) has a portal account, or someone acting for them (代办)."""
    return Q(Exists(User.objects.filter(veteran_id=OuterRef(path), is_active=True))) | Q(
        Exists(Proxy.objects.filter(veteran_id=OuterRef(path), revoked_at__isnull=True)))  # fmt: skip


def accounts_of(veteran_ids: Iterable[int]) -> dict[int, list[User]]:
    """The portal accounts that represent each veteran: their own, and those acting for them."""
    ids = set(veteran_ids)
    found: dict[int, list[User]] = defaultdict(list)
    if not ids:
        return found
    for user in User.objects.filter(veteran_id__in=ids, is_active=True):
        found[user.veteran_id].append(user)
    for proxy in Proxy.objects.filter(veteran_id__in=ids, revoked_at__isnull=True).select_related("user"):
        if proxy.user.is_active:
            found[proxy.veteran_id].append(proxy.user)
    return found


def _tell(veteran_id: int, users: list[User], *, key: str, title: str, body: str, url: str) -> None:
    own = [u for u in users if u.veteran_id == veteran_id]
    if own:
        notify(own, key=key, title=title, body=body, url=url)
    acting = [u for u in users if u.veteran_id != veteran_id]
    if acting:
        notify(acting, key=key, title=title, body=body, url=f"{url}?for={veteran_id}")


@events.subscribe("payments_returned")
def payments_returned(*, batch: int, lines: list[int], **payload: Any) -> None:
    """A payment made, or held back: each line of the batch once, to the veterans with an account."""
    from benefits.models import PaymentLine

    batch_lines = PaymentLine.objects.filter(batch_id=batch).filter(
        Q(pk__in=lines) | ~Q(held_reason="")).select_related("entitlement", "program", "outcome")  # fmt: skip
    veterans = set(batch_lines.filter(represented("entitlement__veteran_id")).values_list("entitlement__veteran_id",
                                                                                        flat=True))  # fmt: skip
    if not veterans:
        return
    accounts = accounts_of(veterans)
    url = reverse("portal:payments")
    with override("zh-hans"):
        for line in batch_lines.filter(entitlement__veteran_id__in=veterans):
            vid = line.entitlement.veteran_id
            month = f"{line.period:%Y-%m}"
            if line.held_reason:
                title = _("Your %(program)s for %(month)s is held back") % {
                    "program": line.program.name,
                    "month": month,
                }
                body = _("Reason: %(reason)s. Ask your station to sort it out.") % {
                    "reason": line.get_held_reason_display()}  # fmt: skip
            elif line.outcome and line.outcome.outcome == "paid":
                title = _("Your %(program)s for %(month)s is paid") % {"program": line.program.name,
                                                                     "month": month}  # fmt: skip
                body = _("%(amount)s yuan, into your account on record.") % {"amount": line.amount}
            else:
                title = _("Your %(program)s for %(month)s did not reach your account") % {
                    "program": line.program.name, "month": month}  # fmt: skip
                body = _("The bank sent it back; it is paid again with the next month's.")
            _tell(vid, accounts[vid], key=f"me.line:{line.pk}", title=title, body=body, url=url)


@events.subscribe("case_moved", process="care_need")
def need_moved(*, case: Any, action: str, **payload: Any) -> None:
    """A need resolved: the veteran is told what was done, and that the 回访 is theirs to answer."""
    if action != "resolve" or case.veteran_id is None:
        return
    accounts = accounts_of([case.veteran_id])
    if not accounts:
        return
    from care.models import Need

    need = Need.objects.get(case=case)
    with override("zh-hans"):
        _tell(case.veteran_id, accounts[case.veteran_id], key=f"me.need:{case.pk}:{need.reopened}",
              title=_("Your need is resolved: please answer the follow-up (回访)"),
              body=need.resolution[:200], url=reverse("portal:needs"))  # fmt: skip


@events.subscribe("case_moved", process="petition")
def petition_moved(*, case: Any, task: Any, action: str, **payload: Any) -> None:
    """A petition moving on (a step done, not a side action such as a note): the step it is at now."""
    if case.veteran_id is None or task.status == "open":
        return
    accounts = accounts_of([case.veteran_id])
    if not accounts:
        return
    from workflow.models import Task

    now = Task.objects.filter(case=case, status=Task.Status.OPEN).select_related("case").order_by("-pk").first()
    with override("zh-hans"):
        step = step_label(now) if now is not None else _("concluded")
        _tell(case.veteran_id, accounts[case.veteran_id], key=f"me.petition:{case.pk}:{task.pk}:{action}",
              title=_("Your petition %(number)s: %(step)s") % {"number": case.number, "step": step},
              body=_("Due %(day)s.") % {"day": f"{now.due_on:%Y-%m-%d}"} if now is not None and now.due_on else "",
              url=reverse("portal:petitions"))  # fmt: skip


def _ranking_published(case: Any) -> None:
    from points.models import Ranking, RankingRow, RankingState

    ranking = Ranking.objects.get(case=case)
    phase = ranking.state
    rows = RankingRow.objects.filter(ranking=ranking, phase=phase)
    with_accounts = set(rows.filter(represented("veteran_id")).values_list("veteran_id", flat=True))
    if not with_accounts:
        return
    accounts = accounts_of(with_accounts)
    with override("zh-hans"):
        for row in rows.filter(veteran_id__in=with_accounts):
            final = phase == RankingState.FINAL
            said = _("The %(quarter)s points ranking is final") if final else _(
                "The %(quarter)s points ranking is publicised (公示)")  # fmt: skip
            title = said % {"quarter": ranking.quarter}
            body = _("Your points: %(score)s; ranked %(rank)s in the town.") % {"score": row.score,
                                                                             "rank": row.rank_town}  # fmt: skip
            key = f"me.ranking:{ranking.pk}:{phase}:{row.veteran_id}"
            _tell(row.veteran_id, accounts[row.veteran_id], key=key, title=title, body=body,
                  url=reverse("portal:points"))  # fmt: skip


@events.subscribe("case_opened", process="points_ranking")
def ranking_frozen(*, case: Any, **payload: Any) -> None:
    _ranking_published(case)


@events.subscribe("case_moved", process="points_ranking")
def ranking_final(*, case: Any, action: str, **payload: Any) -> None:
    if action == "publish":
        _ranking_published(case)


@events.subscribe("case_closed", process="record_correction")
def correction_answered(*, case: Any, **payload: Any) -> None:
    """A request to correct the record answered: corrected (what changed) or not (why); a withdrawn one is
    not an answer."""
    from workflow.models import Case

    if case.veteran_id is None or payload.get("state") != Case.State.DONE:
        return
    accounts = accounts_of([case.veteran_id])
    if not accounts:
        return
    from portal.models import Correction

    correction = Correction.objects.get(case=case)
    with override("zh-hans"):
        _tell(case.veteran_id, accounts[case.veteran_id], key=f"me.correction:{case.pk}",
              title=_("Your request to correct your record is answered"), body=correction.answer[:200],
              url=reverse("portal:record"))  # fmt: skip


@events.subscribe("standard_published")
def standard_published(*, standard: int, **payload: Any) -> None:
    """A policy change: the program's new standard, told to each beneficiary of it with an account."""
    from benefits.models import Entitlement, EntitlementStatus, Standard

    new = Standard.objects.select_related("program").get(pk=standard)
    people = Entitlement.objects.filter(program=new.program, status=EntitlementStatus.ACTIVE).filter(
        represented("veteran_id"))  # fmt: skip
    if new.program.by_grade:
        people = people.filter(grade=new.grade)
    if new.cause:
        people = people.filter(cause=new.cause)
    veterans = set(people.values_list("veteran_id", flat=True))
    accounts = accounts_of(veterans)
    with override("zh-hans"):
        title = _("Policy change: %(program)s") % {"program": new.program.name}
        body = _("%(amount)s yuan %(per)s from %(month)s (%(document)s).") % {
            "amount": new.amount, "per": new.get_per_display(), "month": f"{new.effective_from:%Y-%m}",
            "document": new.document}  # fmt: skip
        for vid in veterans:
            _tell(vid, accounts[vid], key=f"me.standard:{new.pk}:{vid}", title=title, body=body,
                  url=reverse("portal:payments"))  # fmt: skip


@events.subscribe("campaign_progressed")
def campaign_greeting(*, campaign: int, **payload: Any) -> None:
    """A campaign open (a festival's 慰问): its greeting, once, to each person it reaches who has an account."""
    from campaigns.models import Campaign, CampaignTarget, State

    found = Campaign.objects.filter(pk=campaign, state=State.OPEN).first()
    if found is None:
        return
    veterans = set(CampaignTarget.objects.filter(campaign=found).filter(represented("veteran_id"))
                   .values_list("veteran_id", flat=True))  # fmt: skip
    # the event comes with every visit and gift: only those not yet greeted are looked at again
    told = {key.rsplit(":", 1)[1] for key in Notification.objects.filter(key__startswith=f"me.campaign:{found.pk}:")
            .values_list("key", flat=True)}  # fmt: skip
    veterans = {v for v in veterans if str(v) not in told}
    if not veterans:
        return
    accounts = accounts_of(veterans)
    with override("zh-hans"):
        title = _("%(campaign)s: greetings from the Veterans Affairs Bureau") % {"campaign": found.name}
        body = _("Your grid leader or station will visit you between %(start)s and %(end)s.") % {
            "start": f"{found.starts_on:%m-%d}", "end": f"{found.ends_on:%m-%d}"}  # fmt: skip
        for vid in veterans:
            _tell(vid, accounts[vid], key=f"me.campaign:{found.pk}:{vid}", title=title, body=body,
                  url=reverse("portal:home"))  # fmt: skip
