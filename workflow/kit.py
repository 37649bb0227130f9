"""The module kit: a case-backed register declared once, and the selectors, timeline entries and API it gets.

A module declares its register::

    PETITIONS = Register(model=Petition, process=PETITION, path="petitions", filters=PetitionFilters,
                         search=petition_search, out=PetitionOut, to_out=petition_out)

and gets from it the scoped selectors (``subject_list``, ``subject_by_case``), the API router
(``subject_router``: list, get, open and act, by the same schemas) and a timeline provider
(``subject_timeline``). Access is the one rule: the process's capabilities and the region scope, through
``visible_to``; the router's endpoints declare it with ``@endpoint`` so the generated access test covers them.

This module keeps its annotations as objects (no ``from __future__ import annotations``): the API reads
the parameters of the endpoints it builds from them, and they name the register's own schemas.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import ValidationError as PydanticError
from pydantic import create_model

from accounts.models import User
from core import idempotency
from core.access import Target, endpoint
from core.errors import invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from regions.selectors import list_area
from workflow.models import Task
from workflow.process import Process


@dataclass(frozen=True)
class Register:
    """A case-backed register: its subject model, its process and how it is listed and shown."""

    model: type[Model]
    process: Process
    #: the URL segment of its API (``/api/v1/<path>``, maybe of several segments) and its API tag
    path: str
    #: the query parameters its list takes (a ninja Schema whose fields default to ""/None), each filtered by
    #: ``lookups[name]`` (default: the field of the same name on the subject)
    filters: type[Schema] | None = None
    lookups: Mapping[str, str] = field(default_factory=dict)
    #: narrows a list by the search box (``q``)
    search: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None
    #: what a list row and a detail show, as a Schema and the function that fills it
    out: type[Schema] | None = None
    to_out: Callable[[Any], dict[str, Any]] | None = None
    related: tuple[str, ...] = ("case", "case__veteran")

    @property
    def view_capability(self) -> str:
        return self.process.view_capability

    @property
    def open_capability(self) -> str:
        return self.process.open_capability


# --- selectors --------------------------------------------------------------------------------------------------


def subject_list(register: Register, *, user: User, q: str = "", within: str = "", **filters: Any) -> QuerySet[Any]:
    """The register's subjects the user may see (capability, process, scope), filtered; ``within`` a region's
    code prefix: only those of that area (the cockpit's figures link to their records so)."""
    qs: QuerySet[Any] = register.model.objects.visible_to(user, within=within).select_related(*register.related)  # type: ignore[attr-defined]
    if q and register.search is not None:
        qs = register.search(qs, q)
    for name, value in filters.items():
        if value not in (None, ""):
            qs = qs.filter(**{register.lookups.get(name, name): value})
    return qs


def subject_by_case(register: Register, *, user: User, case_pk: int) -> Any:
    """One subject by its case's id; 404 when it does not exist or is not the user's to see."""
    return get_visible_or_404(register.model.objects.select_related(*register.related), user, case_id=case_pk)  # type: ignore[attr-defined]


# --- the timeline -----------------------------------------------------------------------------------------------


def subject_timeline(
    register: Register, *, title: Callable[[Any], Any], when: Callable[[Any], dt.date] | None = None
) -> Callable[[Any, Any], Iterable[Any]]:
    """A timeline provider: each of the person's subjects the user may see, linked to its page."""
    from veterans.timeline import TimelineItem

    def provider(veteran: Any, user: User) -> Iterable[Any]:
        subjects = register.model.objects.visible_to(user).filter(case__veteran=veteran).select_related("case")  # type: ignore[attr-defined]
        for subject in subjects:
            case = subject.case
            day = when(subject) if when else timezone.localdate(case.created_at)
            url = reverse(register.process.url_name, args=[case.pk]) if register.process.url_name else ""
            yield TimelineItem(day, register.path, title(subject), f"{case.number} · {case.get_state_display()}", url)

    return provider


# --- the API ----------------------------------------------------------------------------------------------------


class CaseActIn(Schema):
    action: str = Field(..., max_length=40)
    note: str = Field("", max_length=2000)
    data: dict[str, Any] = {}
    #: which of the case's open tasks, when the user may act on more than one
    task: Id | None = None


def acting_task(*, user: User, case_pk: int, task: int | None) -> Task:
    """The open task of the case that this user may act on (the one named, when there are several)."""
    tasks = list(Task.objects.actionable_by(user).filter(case_id=case_pk).order_by("id"))
    if task is not None:
        tasks = [t for t in tasks if t.pk == task]
    if not tasks:
        raise invalid("task", _("Nothing on this case is yours to act on now."), code="no_task")
    if len(tasks) > 1:
        ids = ", ".join(str(t.pk) for t in tasks)
        raise invalid("task", _("Say which task: %(ids)s."), code="which_task", ids=ids)
    return tasks[0]


def subject_detail(register: Register, subject: Any) -> dict[str, Any]:
    """What the API shows of one subject: its row and its case (tasks and history)."""
    from workflow.api import case_out

    assert register.to_out is not None, f"{register.path}: declare to_out"
    return {**register.to_out(subject), "case": case_out(subject.case)}


def subject_router(
    register: Register,
    *,
    create_in: type[Schema] | None = None,
    create: Callable[[Any, Any], Any] | None = None,
) -> Router:
    """The register's API: list, get, open (when it declares ``create``) and act, with the same schemas."""
    from workflow.api import CaseOut
    from workflow.services import act

    assert register.out is not None and register.to_out is not None, f"{register.path}: declare out and to_out"
    # a path may have segments (``aid/applications``): the operations' names join them with "_"
    out, to_out, path = register.out, register.to_out, register.path
    name = path.replace("-", "_").replace("/", "_")
    router = Router(tags=[path])
    page_schema = create_model(f"{out.__name__}Page", __base__=Schema, items=(list[out], ...), next=(str | None, None))  # type: ignore[valid-type]
    detail_schema = create_model(f"{out.__name__}Detail", __base__=out, case=(CaseOut, ...))
    filters = register.filters or create_model(f"{out.__name__}Filters", __base__=Schema)
    target = Target(register.model, "case_id", "case_id")

    def detail(subject: Any) -> dict[str, Any]:
        return subject_detail(register, subject)

    @router.get(f"/{path}", response=page_schema, operation_id=f"{name}_list")
    @endpoint(register.view_capability)
    def list_subjects(
        request: AuthedRequest,
        query: Query[filters],  # type: ignore[valid-type]  # the register's own filter schema
        q: str = "",
        limit: Int64 = 50,
        cursor: str = "",
    ) -> dict[str, Any]:
        qs = subject_list(register, user=request.user, q=q, **query.dict())  # type: ignore[attr-defined]
        items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
        return {"items": [to_out(x) for x in items], "next": next_cursor}

    @router.get(f"/{path}/{{case_id}}", response=detail_schema, operation_id=f"{name}_get")
    @endpoint(register.view_capability, target=target)
    def get_subject(request: AuthedRequest, case_id: Id) -> dict[str, Any]:
        return detail(subject_by_case(register, user=request.user, case_pk=case_id))

    @router.post(f"/{path}/{{case_id}}/act", response=detail_schema, operation_id=f"{name}_act")
    @endpoint(register.view_capability, target=target)
    def act_on_subject(request: AuthedRequest, case_id: Id, payload: CaseActIn) -> dict[str, Any]:
        """Do an action on the step of this case that is yours (``task`` names it when several are)."""
        subject_by_case(register, user=request.user, case_pk=case_id)
        task = acting_task(user=request.user, case_pk=case_id, task=payload.task)
        act(actor=request.user, task=task, action=payload.action, note=payload.note, data=payload.data)
        return detail(subject_by_case(register, user=request.user, case_pk=case_id))

    if create is not None and create_in is not None:

        @router.post(f"/{path}", response={201: detail_schema, 200: detail_schema}, operation_id=f"{name}_open")
        @endpoint(register.open_capability, errors=(409,))
        def open_subject(
            request: AuthedRequest,
            payload: create_in,  # type: ignore[valid-type]  # the register's own input schema
            idempotency_key: str | None = Header(None, alias=idempotency.HEADER),  # type: ignore[type-arg]
        ) -> Status[Any]:
            """Open one. A client that may send it twice (a phone on a poor signal) sends an ``Idempotency-Key``:
            the same key again answers 200 with what the first made, and makes nothing more."""
            key = idempotency.header_key(idempotency_key)
            subject, new = idempotency.once(
                actor=request.user, key=key, request=payload.dict(),  # type: ignore[attr-defined]
                create=lambda: create(request.user, payload),
            )  # fmt: skip
            fresh = register.model._default_manager.select_related(*register.related).get(pk=subject.pk)
            return Status(201 if new else 200, detail(fresh))

    return router


def any_text(*lookups: str) -> Callable[[QuerySet[Any], str], QuerySet[Any]]:
    """A search over these text fields (contains), for ``Register.search``."""

    def search(qs: QuerySet[Any], q: str) -> QuerySet[Any]:
        condition = Q()
        for lookup in lookups:
            condition |= Q(**{f"{lookup}__contains": q})
        return qs.filter(condition)

    return search


# --- pages ------------------------------------------------------------------------------------------------------

#: Rows on one page of a register's list.
PAGE_SIZE = 50


def with_open_tasks(rows: Iterable[Any]) -> None:
    """Give each subject of a list page its case's open tasks with their urgency (``row.open_tasks``), in one query."""
    from workflow.selectors import urgency

    rows = list(rows)
    open_tasks: dict[int, list[Task]] = {}
    for task in Task.objects.filter(case__in=[r.case_id for r in rows], status=Task.Status.OPEN).order_by("id"):
        open_tasks.setdefault(task.case_id, []).append(task)
    today = timezone.localdate()
    for row in rows:
        row.open_tasks = [(t, urgency(t, today)) for t in open_tasks.get(row.case_id, [])]


def list_page(
    register: Register,
    request: AuthedRequest,
    *,
    template: str,
    form: Any = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A register's list page: the filter form's values (or the register's filters from the query string),
    a keyset page of the subjects the user may see, each with its open steps."""
    status = 200
    if form is not None:
        filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    else:
        filters, status = _query_filters(register, request)
    area, refused = _area(request)
    if area is not None:
        messages.info(request, _("Only the records of %(area)s are listed.") % {"area": area.name})
    elif refused:
        messages.error(request, _("No region of your area has this code."))
        status = 400
    try:
        rows, next_cursor = keyset_page(
            subject_list(register, user=request.user, within=area.prefix if area else "", **filters),
            key="id",
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
            descending=True,
        )
    except ValidationError as exc:  # a malformed cursor: said, and the first page is not shown for it
        messages.error(request, exc.messages[0])
        rows, next_cursor, status = [], None, 400
    with_open_tasks(rows)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "rows": rows,
        "next_cursor": next_cursor,
        "query": params.urlencode(),
        "filters": filters,
        "can_open": request.user.can(register.open_capability),
        **(extra or {}),
    }
    return render(request, template, context, status=status)


def list_params(register: Register) -> tuple[str, ...]:
    """The query parameters a register's list page reads (``@page(..., params=list_params(REGISTER))``)."""
    names = tuple(register.filters.model_fields) if register.filters is not None else ()
    return (*names, "q", "cursor")


def _area(request: AuthedRequest) -> tuple[Any, bool]:
    return list_area(request.user, request.GET.get("region", ""))


def _query_filters(register: Register, request: AuthedRequest) -> tuple[dict[str, Any], int]:
    """The register's filters from the query string, checked by its schema; malformed ones are refused (400)."""
    names = register.filters.model_fields if register.filters is not None else {}
    raw = {name: request.GET[name] for name in names if request.GET.get(name)}
    try:
        parsed = register.filters.model_validate(raw).dict() if register.filters is not None else {}
    except PydanticError:
        messages.error(request, _("A filter is not valid; the list shows everything."))
        return {}, 400
    return {**{k: v for k, v in parsed.items() if v not in (None, "")}, "q": request.GET.get("q", "")}, 200


def detail_page(
    register: Register,
    request: AuthedRequest,
    case_pk: int,
    *,
    template: str,
    extra: Callable[[Any], Mapping[str, Any]] | None = None,
) -> HttpResponse:
    """A register's page of one subject: the case partial (steps, forms, history, attachments) and the subject."""
    from workflow.views import case_context

    subject = subject_by_case(register, user=request.user, case_pk=case_pk)
    context = case_context(request, subject.case)
    context["subject"] = subject
    if extra is not None:
        context.update(extra(subject))
    return render(request, template, context)
