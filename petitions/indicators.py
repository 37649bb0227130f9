"""信访 for the cockpit: the petitions received by month (the day received), by channel, subject and level; how
many were accepted (受理告知) and answered (答复反馈) within their limits; how the petitioners rated the handling.

A step is on time when its task was done on or before its due day and the deadline sweep never marked it
(read from the workflow's tasks, as ``care.figures`` reads a need's). The petitions list takes no area, so the
figures link to no list.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cockpit.kit import Dim, Indicator, Measure, Period, declare, records
from petitions.models import Channel, Level, Petition, Satisfaction, Subject
from workflow.models import Task

GROUP = _("Petitions (信访)")
PIECES = _("petitions")
WATCH = ("process:petition", "process:petition_review")
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.FAIRLY)
DEMO_NOTE = _("On the demo every step was done on the day the data was loaded: the figures of time are synthetic.")


def _done(step: str, action: str = "") -> Q:
    done = Q(case_id=OuterRef("case_id"), step=step, status=Task.Status.DONE)
    return done & Q(outcome=action) if action else done


def _step_done(step: str, action: str = "") -> Exists:
    return Exists(Task.objects.filter(_done(step, action)))


def _step_on_time(step: str, action: str = "") -> Exists:
    """The step was done within its limit: on or before its due day (none: no limit), never marked overdue."""
    in_time = Q(overdue_at__isnull=True) & (Q(due_on__isnull=True) | Q(completed_at__date__lte=F("due_on")))
    return Exists(Task.objects.filter(_done(step, action), in_time))


MEASURES = (
    Measure("count", _("received"), Count("case_id"), PIECES),
    Measure("accepted", _("acceptance decided"), Count("case_id", filter=Q(_step_done("accept"))), PIECES),
    Measure("accepted_on_time", _("acceptance decided on time"), Count("case_id", filter=Q(_step_on_time("accept"))),
            PIECES),
    Measure("replied", _("answered in writing"), Count("case_id", filter=Q(_step_done("reply", "reply"))), PIECES),
    Measure("replied_on_time", _("answered on time"), Count("case_id", filter=Q(_step_on_time("reply", "reply"))),
            PIECES),
    Measure("rated", _("rated at the follow-up visit"), Count("case_id", filter=~Q(satisfaction="")), PIECES),
    Measure("satisfied", _("satisfied"), Count("case_id", filter=Q(satisfaction__in=SATISFIED)), PIECES),
)  # fmt: skip
#: the petitions' list, narrowed to the area and to the channel or subject (the list has no level filter)
LIST = records("petitions:list", channel="channel", subject="subject")
DIMS = (
    Dim("channel", _("Channel"), "channel", dict(Channel.choices)),
    Dim("subject", _("Subject"), "subject", dict(Subject.choices)),
    Dim("level", _("Level"), "level", dict(Level.choices)),
)


declare(Indicator(
    key="petitions.received", group=GROUP, name=_("Petitions received"), source=Petition.objects.all,
    measures=MEASURES, period=Period("month", "received_on"), dims=DIMS, watch=WATCH, order=30, chart="line",
    note=DEMO_NOTE, records=LIST,
))  # fmt: skip

declare(Indicator(
    key="petitions.replied_on_time", group=GROUP, name=_("Answered within the limit"), source=Petition.objects.all,
    measures=tuple(m for m in MEASURES if m.key in ("replied_on_time", "replied", "accepted_on_time", "accepted")),
    rate=("replied_on_time", "replied"), period=Period("month", "received_on"), dims=DIMS[:1], watch=WATCH,
    order=31, chart="bar", note=DEMO_NOTE, records=LIST,
))  # fmt: skip

declare(Indicator(
    key="petitions.satisfaction", group=GROUP, name=_("Petitioners satisfied"), source=Petition.objects.all,
    measures=tuple(m for m in MEASURES if m.key in ("satisfied", "rated")), rate=("satisfied", "rated"),
    period=Period("month", "received_on"), dims=DIMS[:1], watch=WATCH, order=32, chart="bar", records=LIST,
))  # fmt: skip
