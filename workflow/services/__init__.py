"""The workflow engine, one module per concern; this package's names are what other apps call.

- ``access``: who may act on a task, who is told of it, how its unit is named
- ``deadlines``: due dates from a step's limit and the case's dates
- ``transitions``: opening a case, ``act`` (the one transition), withdrawal, claims
- ``bulk``: a preview, then all or nothing
- ``holidays``: the working-day calendar's table
- ``sweep``: overdue marks, notices and escalation
- ``attachments``: files kept with a case, staged until the transaction commits
"""

from workflow.services.access import describe_actor, eligible_users, may_act, region_names, unit_label
from workflow.services.attachments import ALLOWED_UPLOADS, attachment_add, attachment_open
from workflow.services.bulk import BulkLine, bulk_act, bulk_preview
from workflow.services.deadlines import due_date, limit_of, refresh_due
from workflow.services.holidays import calendar_year, holiday_add, holiday_delete
from workflow.services.sweep import SweepResult, escalation_target, sweep
from workflow.services.transitions import (
    MAX_NOTE,
    RESUBMIT,
    act,
    actions_for,
    brief,
    case_url,
    claim,
    may_withdraw,
    open_case,
    outcome_label,
    refuse_unless_may_act,
    set_case_date,
    task_url,
    withdraw_case,
)

__all__ = [
    "ALLOWED_UPLOADS",
    "MAX_NOTE",
    "RESUBMIT",
    "BulkLine",
    "SweepResult",
    "act",
    "actions_for",
    "attachment_add",
    "attachment_open",
    "brief",
    "bulk_act",
    "bulk_preview",
    "calendar_year",
    "case_url",
    "claim",
    "describe_actor",
    "due_date",
    "eligible_users",
    "escalation_target",
    "holiday_add",
    "holiday_delete",
    "limit_of",
    "may_act",
    "may_withdraw",
    "open_case",
    "outcome_label",
    "refresh_due",
    "refuse_unless_may_act",
    "region_names",
    "set_case_date",
    "sweep",
    "task_url",
    "unit_label",
    "withdraw_case",
]
