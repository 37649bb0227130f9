from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cases import services
from cases.forms import OpenForm, TaskFormSet, TemplateForm
from cases.models import CaseTemplate, LifeCase, Stage
from cases.process import LIFE_EVENT
from cases.register import LIFE_CASES
from core.access import Target, page
from core.pickers import bind
from core.types import AuthedRequest
from core.views import apply_errors, submit_form
from veterans.models import Veteran
from workflow.kit import detail_page, list_page, list_params


@page(LIFE_EVENT.view_capability, params=list_params(LIFE_CASES))
def case_list(request: AuthedRequest) -> HttpResponse:
    extra = {"stages": Stage.choices, "can_edit_templates": request.user.can("cases.templates")}
    return list_page(LIFE_CASES, request, template="cases/list.html", extra=extra)


@page(LIFE_EVENT.open_capability, methods=("GET", "POST"), params=("veteran",))
def case_open(request: AuthedRequest) -> HttpResponse:
    form = bind(OpenForm(request.POST or None, initial={"veteran_id": request.GET.get("veteran")}), request.user)

    def action(data: dict[str, Any]) -> LifeCase:
        veteran = Veteran.objects.visible_to(request.user).filter(pk=data["veteran_id"]).first()
        if veteran is None:
            raise ValidationError({"veteran_id": [_("No such veteran in your area.")]})
        return services.life_case_open(actor=request.user, veteran=veteran, stage=data["stage"], note=data["note"])

    life = submit_form(request, form, action, aliases={"veteran": "veteran_id"})
    if life is not None:
        messages.success(request, _("Opened as %(number)s.") % {"number": life.case.number})
        return redirect("cases:detail", pk=life.case_id)
    return render(request, "cases/open.html", {"form": form}, status=400 if form.errors else 200)


@page(LIFE_EVENT.view_capability, target=Target(LifeCase, "case_id"))
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(LIFE_CASES, request, pk, template="cases/detail.html", extra=lambda life: {"life": life})


@page(LIFE_EVENT.view_capability)
def template_list(request: AuthedRequest) -> HttpResponse:
    templates = CaseTemplate.objects.prefetch_related("tasks")
    return render(
        request, "cases/templates.html", {"templates": templates, "can_edit": request.user.can("cases.templates")}
    )


@page("cases.templates", methods=("GET", "POST"), examples={"stage": "reporting"})
def template_edit(request: AuthedRequest, stage: str) -> HttpResponse:
    template = get_object_or_404(CaseTemplate, stage=stage)
    initial_tasks = [  # the form calls the template's "fields" person_fields (a form's own "fields" is taken)
        {
            "title": t.title,
            "department": t.department,
            "acting_level": t.acting_level,
            "limit_days": t.limit_days,
            "working_days": t.working_days,
            "person_fields": t.fields,
        }
        for t in template.tasks.all()
    ]
    form = TemplateForm(
        request.POST or None,
        initial={
            "name": template.name,
            "description": template.description,
            "limit_days": template.limit_days,
            "working_days": template.working_days,
            "active": template.active,
        },
    )
    formset = TaskFormSet(request.POST or None, initial=initial_tasks, prefix="tasks")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        tasks = [
            {**f.cleaned_data, "fields": f.cleaned_data.get("person_fields", [])}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.template_update(actor=request.user, template=template, tasks=tasks, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved. Cases already open keep their tasks."))
            return redirect("cases:templates")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/template_form.html", {"form": form, "formset": formset, "template": template}, status=status
    )
