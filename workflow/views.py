"""Pages of the workflow: inboxes, a task, bulk actions, notifications, statistics, the holiday table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Target, may_open, page
from core.errors import explain
from core.ids import parse_id
from core.models import Notification
from core.notify import notification_open as open_notification
from core.notify import notifications_mark_read
from core.types import AuthedRequest
from core.views import apply_errors
from workflow import selectors, services
from workflow.forms import ActionForm, BulkForm, HolidayForm
from workflow.models import Attachment, Case, Holiday, Task
from workflow.registry import PROCESSES
from workflow.reminders import reminders_for
from workflow.services.transitions import refuse_same_actor

#: An inbox shows the most urgent tasks first; beyond this, filter by process or urgency.
INBOX_LIMIT = 500


def action_forms(request: AuthedRequest, task: Task, bound: ActionForm | None = None) -> list[ActionForm]:
    if not services.may_act(request.user, task) or maker_of_earlier_step(request, task):
        return []
    forms = []
    for spec in services.actions_for(task):
        if bound is not None and bound.spec.key == spec.key:
            forms.append(bound)
        else:
            forms.append(ActionForm(task=task, spec=spec))
    return forms


def maker_of_earlier_step(request: AuthedRequest, task: Task) -> str:
    """Why this user, who did an earlier step this one checks (maker-checker), is offered no action: "" if not."""
    try:
        refuse_same_actor(request.user, task.case, task)
    except ValidationError as exc:
        return str(exc.messages[0])
    return ""


def case_context(request: AuthedRequest, case: Case) -> dict[str, Any]:
    """What the shared case partial shows: open tasks with their forms, the history, the attachments."""
    tasks = list(case.tasks.select_related("assignee", "completed_by").order_by("id"))
    today = timezone.localdate()
    names = services.region_names(t.unit_code for t in tasks)
    rows = [
        {
            "task": t,
            "urgency": selectors.urgency(t, today),
            "unit": services.describe_actor(t, names),
            "outcome": services.outcome_label(t),
            "forms": action_forms(request, t) if t.is_open and case.is_open else [],
            "not_yours": maker_of_earlier_step(request, t) if t.is_open and services.may_act(request.user, t) else "",
        }
        for t in tasks
    ]
    return {
        "case": case,
        "process": PROCESSES[case.process],
        "task_rows": rows,
        "events": case.events.select_related("actor").order_by("id"),
        "attachments": case.attachments.all(),
        "can_attach": case.is_open and request.user.can("workflow.inbox"),
        "can_withdraw": services.may_withdraw(request.user, case),
    }


@page("workflow.inbox", params=("view", "urgency", "process"))
def inbox(request: AuthedRequest) -> HttpResponse:
    view = request.GET.get("view", "mine")
    urgency = request.GET.get("urgency", "")
    process = request.GET.get("process", "")
    if view == "unit":
        qs = selectors.unit_tasks(request.user, process=process, urgency=urgency)
    else:
        qs = selectors.my_tasks(request.user)
        if process:
            qs = qs.filter(case__process=process)
    tasks = list(qs[: INBOX_LIMIT + 1])
    more = len(tasks) > INBOX_LIMIT
    tasks = tasks[:INBOX_LIMIT]
    today = timezone.localdate()
    names = services.region_names(t.unit_code for t in tasks)
    rows = [
        {"task": t, "urgency": selectors.urgency(t, today), "unit": services.describe_actor(t, names)} for t in tasks
    ]
    bulk_actions = sorted({(a.key, str(a.label)) for t in tasks for a in services.actions_for(t) if a.bulk})
    return render(
        request,
        "workflow/inbox.html",
        {
            "rows": rows,
            "view": view,
            "urgency": urgency,
            "process": process,
            "processes": PROCESSES.values(),
            "bulk_actions": bulk_actions,
            "more": more,
            "limit": INBOX_LIMIT,
            "today": today,
            "reminders": reminders_for(request.user),
        },
    )


def _task_page(request: AuthedRequest, task: Task, bound: ActionForm | None = None, status: int = 200) -> HttpResponse:
    case_visible = Case.objects.visible_to(request.user).filter(pk=task.case_id).exists()
    person = services.brief(task, request.user)
    context = {
        "task": task,
        "inbox_open": may_open(request.user, "workflow:inbox"),
        "case": task.case,
        "case_visible": case_visible,
        "case_url": services.case_url(task.case) if case_visible else "",
        "unit": services.describe_actor(task),
        "urgency": selectors.urgency(task),
        "forms": action_forms(request, task, bound) if task.is_open and task.case.is_open else [],
        "can_claim": task.is_open
        and task.case.is_open
        and task.assignee_id is None
        and services.may_act(request.user, task),
        "person": person,
        "events": task.case.events.filter(task=task).select_related("actor") if not case_visible else [],
    }
    return render(request, "workflow/task.html", context, status=status)


@page(target=Target(Task), no_store=True)  # a department sees the full ID number its task needs
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _task_page(request, selectors.visible_task(request.user, pk))


@page(target=Target(Task, action="act"), methods=("POST",), no_store=True)
def task_act(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.visible_task(request.user, pk)
    services.refuse_unless_may_act(request.user, task)  # before the input is read: whose step it is comes first
    key = request.POST.get("action", "")
    spec = next((a for a in services.actions_for(task) if a.key == key), None)
    if spec is None:
        messages.error(request, _("Unknown action."))
        return redirect("workflow:task", pk=pk)
    form = ActionForm(request.POST, task=task, spec=spec)
    if form.is_valid():
        try:
            services.act(
                actor=request.user, task=task.pk, action=spec.key, note=form.cleaned_data["note"], data=form.payload()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
            target = request.POST.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else _after(request, task))
    task.refresh_from_db()
    return _task_page(request, task, bound=form, status=400)


def _after(request: AuthedRequest, task: Task) -> str:
    if Case.objects.visible_to(request.user).filter(pk=task.case_id).exists():
        return services.case_url(task.case) or "/tasks/"
    return "/tasks/"


@page(target=Target(Case, kwarg="case_pk", action="withdraw"), methods=("POST",))
def case_withdraw(request: AuthedRequest, case_pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, case_pk)
    try:
        services.withdraw_case(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        messages.success(request, _("The case is withdrawn."))
    except ValidationError as exc:
        messages.error(request, explain(exc))
    return redirect(services.case_url(case))


@page(target=Target(Task, action="act"), methods=("POST",))
def task_claim(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.visible_task(request.user, pk)
    try:
        services.claim(actor=request.user, task=task.pk)
        messages.success(request, _("The task is yours now."))
    except ValidationError as exc:
        messages.error(request, explain(exc))
    return redirect("workflow:task", pk=pk)


@page("workflow.inbox", methods=("POST",))
def bulk(request: AuthedRequest) -> HttpResponse:
    """First a preview of what would happen to each task; then, confirmed, all or nothing."""
    form = BulkForm(request.POST, queryset=selectors.actionable(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose at least one of your tasks and an action."))
        return redirect(f"{request.path.rsplit('/bulk', 1)[0]}/?view=unit")
    tasks = list(form.cleaned_data["tasks"])
    action = form.cleaned_data["bulk_action"]
    if request.POST.get("confirm") == "1":
        try:
            count = services.bulk_act(actor=request.user, task_ids=[t.pk for t in tasks], action=action)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _("Nothing was done: %(why)s") % {"why": explain(exc)})
        else:
            messages.success(request, _("%(n)d tasks done.") % {"n": count})
        return redirect("/tasks/?view=unit")
    lines = services.bulk_preview(actor=request.user, tasks=tasks, action=action)
    return render(
        request,
        "workflow/bulk_preview.html",
        {
            "lines": lines,
            "action": action,
            "all_ok": all(line.ok for line in lines),
        },
    )


@page(methods=("GET", "POST"))
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("workflow:notifications")
    return render(
        request, "workflow/notifications.html", {"items": Notification.objects.filter(user=request.user)[:200]}
    )


@page(target=Target(Notification))
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    return redirect(open_notification(user=request.user, pk=pk))


@page("workflow.stats", params=("process",))
def stats(request: AuthedRequest) -> HttpResponse:
    process = request.GET.get("process", "")
    if process and process not in PROCESSES:
        raise Http404
    cases = selectors.case_stats(user=request.user, process=process)
    units = selectors.unit_stats(user=request.user, process=process)
    names = services.region_names([*(c.region_code for c in cases), *(s.unit_code for s in units)])
    case_rows = []
    for key in dict.fromkeys(c.process for c in cases):
        label = PROCESSES[key].label if key in PROCESSES else key
        of_process = [c for c in cases if c.process == key]
        case_rows += [{"c": c, "process": label, "region": names.get(c.region_code, c.region_code)} for c in of_process]
        if len(of_process) > 1:
            case_rows.append({"c": selectors.CaseStats.sum(key, "", of_process), "process": label, "total": True})
    rows = [
        {"s": s, "process": PROCESSES[s.process].label, "unit": services.unit_label(s.unit_code, s.department, names)}
        for s in units
    ]
    steps = selectors.step_stats(user=request.user, process=process) if process else []
    return render(
        request,
        "workflow/stats.html",
        {
            "case_rows": case_rows,
            "rows": rows,
            "steps": steps,
            "process": process,
            "processes": PROCESSES.values(),
        },
    )


@page(("holidays.manage", "workflow.inbox"), methods=("GET", "POST"), params=("year",))
def holidays(request: AuthedRequest) -> HttpResponse:
    can_manage = request.user.can("holidays.manage")
    try:
        year = services.calendar_year(request.GET.get("year"), default=timezone.localdate().year)
    except ValidationError as exc:
        messages.error(request, explain(exc))
        return render(
            request,
            "workflow/holidays.html",
            {"days": [], "form": HolidayForm(), "year": "", "can_manage": can_manage},
            status=400,
        )
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            pk = parse_id(request.POST["delete"])
            if pk is None:
                raise Http404
            services.holiday_delete(actor=request.user, holiday=get_object_or_404(Holiday, pk=pk))
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            services.holiday_add(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    days = Holiday.objects.filter(date__year=year)
    return render(
        request, "workflow/holidays.html", {"days": days, "form": form, "year": year, "can_manage": can_manage}
    )


# --- attachments --------------------------------------------------------------------------------------


@page("workflow.inbox", target=Target(Case, kwarg="case_pk"), methods=("POST",))
def attachment_upload(request: AuthedRequest, case_pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, case_pk)
    try:
        services.attachment_add(actor=request.user, case=case, upload=request.FILES.get("file"))
        messages.success(request, _("Attached."))
    except ValidationError as exc:
        messages.error(request, explain(exc))
    return redirect(services.case_url(case))


@page(target=Target(Attachment), no_store=True)  # a scan may show anything
def attachment_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    attachment = selectors.attachment_get(request.user, pk)
    stored = services.attachment_open(actor=request.user, attachment=attachment)
    return FileResponse(stored.open("rb"), as_attachment=True, filename=attachment.name)
