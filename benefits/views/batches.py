"""The batch side of 抚恤补助's pages: the batches and the month's generation, one batch (its totals, held
lines, maker-checker, bank file and return file), the year's figures, the standards and the overpayments.

Reads go through ``benefits.figures`` and the scoped querysets; writes are the services' (generation,
``batches``, ``standards``, ``entitlements``, and ``bank``, which is imported where it is used).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from benefits import figures
from benefits.batches import reverse_line
from benefits.entitlements import overpayment_settle
from benefits.forms_batches import (
    GenerateForm,
    LineFilterForm,
    OverpaymentFilterForm,
    ReturnFileForm,
    ReverseLineForm,
    SettleForm,
    StandardForm,
    YearForm,
)
from benefits.generation import generate_batch
from benefits.models import Batch, BatchState, HeldReason, Overpayment, OverpaymentState, PaymentLine
from benefits.standards import month_start, publish_standard
from core.access import Target, page
from core.errors import explain
from core.imports import neutralise
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import apply_errors, submit_form
from regions.selectors import list_area

#: Rows on one page of a list.
PAGE_SIZE = 50

#: The states in which a batch's bank file can be downloaded, and those in which a return file is taken.
TO_THE_BANK = (BatchState.APPROVED, BatchState.EXPORTED, BatchState.RECONCILED)
SENT = (BatchState.EXPORTED, BatchState.RECONCILED)

BANK_FORMATS = ("xlsx", "csv")

BATCH = Target(Batch, "case_id")


def _page_of(request: AuthedRequest, queryset: Any, key: Any, descending: bool = False) -> tuple[list[Any], Any, int]:
    """A keyset page of the queryset; a malformed cursor is said, and answers 400 with no rows."""
    try:
        rows, next_cursor = keyset_page(
            queryset, key=key, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE, descending=descending
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return [], None, 400
    return list(rows), next_cursor, 200


def _link(name: str) -> str:
    """The URL of a page another part of the app provides, or "" while it does not exist yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _batch(request: AuthedRequest, pk: int) -> Batch:
    batches = Batch.objects.select_related("case__created_by", "checked_by", "approved_by")
    return get_visible_or_404(batches, request.user, case_id=pk)


# --- the batches ------------------------------------------------------------------------------------------------


@page("benefits.view", methods=("GET", "POST"), params=("cursor",))
def home(request: AuthedRequest) -> HttpResponse:
    may_generate = request.user.can("benefits.manage")
    if request.method == "POST" and not may_generate:
        raise PermissionDenied
    form = GenerateForm(request.POST or None) if may_generate else None
    if form is not None:
        generated = submit_form(request, form, lambda data: generate_batch(actor=request.user, period=data["period"]))
        if generated is not None:
            messages.success(
                request,
                _("The batch of %(month)s: %(added)s lines added (%(total)s yuan), %(held)s held back.")
                % {
                    "month": f"{generated.batch.period:%Y-%m}",
                    "added": generated.added,
                    "total": generated.total,
                    "held": generated.held,
                },
            )
            return redirect("benefits:batch", pk=generated.batch.case_id)
    batches = Batch.objects.visible_to(request.user).select_related("case", "checked_by", "approved_by")
    rows, next_cursor, status = _page_of(request, batches, ("period", "id"), descending=True)
    if form is not None and form.errors:
        status = 400
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "form": form,
        "entitlements_url": _link("benefits:entitlements"),
        "proposals_url": _link("benefits:proposals"),
    }
    return render(request, "benefits/batches/home.html", context, status=status)


# --- one batch --------------------------------------------------------------------------------------------------

#: What the batch page's list of lines shows (``?show=``): the held lines (grouped by reason), all, those to pay.
SHOW = ("held", "payable", "failed", "all")


def _batch_page(
    request: AuthedRequest, batch: Batch, *, return_form: ReturnFileForm | None = None, status: int = 200
) -> HttpResponse:
    from workflow.views import case_context

    show = request.GET.get("show") or "held"
    if show not in SHOW and show not in HeldReason.values:
        show = "held"
    lines, keys = figures.batch_lines(batch, show)
    rows, next_cursor, page_status = _page_of(request, lines, keys)
    may_manage = request.user.can("benefits.manage")
    context = case_context(request, batch.case)
    context.update(
        {
            "batch": batch,
            "summary": figures.batch_summary(batch),
            "rows": rows,
            "next_cursor": next_cursor,
            "show": show,
            "shows": [
                ("held", _("Held lines")),
                ("payable", _("Lines to pay")),
                ("failed", _("Failed at the bank")),
                ("all", _("All lines")),
            ],
            "show_label": dict(HeldReason.choices).get(show, ""),
            "may_take_out": may_manage and batch.state == BatchState.DRAFT,
            "take_out_form": ReverseLineForm(),
            "may_download": may_manage and batch.state in TO_THE_BANK,
            "may_import": may_manage and batch.state in SENT,
            "return_form": return_form or ReturnFileForm(),
            "returns": batch.returns.select_related("imported_by").order_by("id") if batch.state in SENT else [],
        }
    )
    return render(request, "benefits/batches/batch.html", context, status=max(status, page_status))


@page("benefits.view", target=BATCH, params=("show", "cursor"))
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _batch_page(request, _batch(request, pk))


@page("benefits.manage", target=BATCH, methods=("POST",))
def batch_take_out(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take a line out of a draft batch (a reversing line; the month is owed again)."""
    batch = _batch(request, pk)
    form = ReverseLineForm(request.POST)
    back = reverse("benefits:batch", args=[pk]) + "?show=payable#lines"
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    line = PaymentLine.objects.visible_to(request.user).filter(batch=batch, pk=form.cleaned_data["line"]).first()
    if line is None:
        messages.error(request, _("That line is not one of this batch's."))
        return redirect(back)
    try:
        reverse_line(actor=request.user, line=line, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, explain(exc))
    else:
        messages.success(
            request,
            _("The line %(line)s is taken out; its month will be offered again by the next generation.")
            % {"line": line.reference or line.pk},
        )
    return redirect(back)


@page("benefits.manage", target=BATCH, examples={"fmt": "xlsx"}, no_store=True)  # full account numbers
def batch_bank_file(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """The bank file of an approved batch (the first download marks it sent to the bank)."""
    if fmt not in BANK_FORMATS:
        raise Http404
    batch = _batch(request, pk)
    if batch.state not in TO_THE_BANK:
        messages.error(request, _("Only an approved batch goes to the bank."))
        return redirect("benefits:batch", pk=pk)
    from benefits.bank import bank_file

    try:
        filename, content_type, content = bank_file(actor=request.user, batch=batch, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, explain(exc))
        return redirect("benefits:batch", pk=pk)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@page("benefits.manage", target=BATCH, methods=("POST",))
def batch_return_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """The bank's return file (回盘文件): each line marked paid or failed; the same file again changes nothing."""
    batch = _batch(request, pk)
    if batch.state not in SENT:
        messages.error(request, _("The batch has not been sent to the bank."))
        return redirect("benefits:batch", pk=pk)
    form = ReturnFileForm(request.POST, request.FILES)
    if form.is_valid():
        from benefits.bank import import_return_file

        upload = form.cleaned_data["file"]
        try:
            returned, changed = import_return_file(
                actor=request.user, batch=batch, name=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
            else:
                form.add_error("file", exc)
        else:
            if changed:
                messages.success(
                    request,
                    _("Return file %(name)s: %(paid)s lines paid (%(paid_total)s yuan), %(failed)s failed "
                      "(%(failed_total)s yuan).")
                    % {"name": returned.name, "paid": returned.paid_count, "paid_total": returned.paid_total,
                       "failed": returned.failed_count, "failed_total": returned.failed_total},
                )  # fmt: skip
            else:
                messages.info(request, _("This return file was imported already; nothing changed."))
            return redirect("benefits:batch", pk=pk)
    return _batch_page(request, _batch(request, pk), return_form=form, status=400)


# --- the year's figures -----------------------------------------------------------------------------------------


@page("benefits.view", params=("year",))
def paid_figures(request: AuthedRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    form = YearForm(request.GET if "year" in request.GET else {"year": this_year})
    status = 200
    if form.is_valid():
        year = form.cleaned_data["year"]
    else:
        year, status = this_year, 400
    context = {"form": form, "figures": figures.paid_figures(user=request.user, year=year), "year": year}
    return render(request, "benefits/batches/figures.html", context, status=status)


@page("benefits.view", params=("year",))
def paid_figures_csv(request: AuthedRequest) -> HttpResponse:
    """The year's figures as CSV (UTF-8 with its BOM, which Excel reads): the three tables one after the other."""
    form = YearForm(request.GET if "year" in request.GET else {"year": timezone.localdate().year})
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("benefits:figures")
    year = form.cleaned_data["year"]
    found = figures.paid_figures(user=request.user, year=year)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for heading, table in ((_("Program"), found.by_program), (_("Town / street"), found.by_town),
                           (_("Month"), found.by_month)):  # fmt: skip
        writer.writerow([neutralise(str(heading)), _("Lines"), _("Amount (yuan)")])
        for row in table.rows:
            writer.writerow([neutralise(row.label), row.count, row.amount])
        writer.writerow([_("Total"), table.count, table.total])
        writer.writerow([])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{year}-paid.csv")
    return response


# --- the lines behind a figure ----------------------------------------------------------------------------------


@page("benefits.view", params=(*LineFilterForm.base_fields, "cursor"))
def lines(request: AuthedRequest) -> HttpResponse:
    """The payment lines of an area, a period, a program (what the cockpit's amounts paid and lines held link
    to), with their count and sum: the figure clicked, line by line."""
    form = LineFilterForm(request.GET)
    status = 200
    data = form.cleaned_data if form.is_valid() else {}
    area, refused = list_area(request.user, request.GET.get("region", ""))
    if refused or (area is None and request.user.scope_region is None):
        form.add_error(None, _("No region of your area has this code."))  # the region is a hidden field
    if form.errors:
        status = 400
    area = area or request.user.scope_region
    rows: list[Any] = []
    next_cursor, count, total = None, 0, figures.ZERO
    if area is not None and not form.errors:
        wanted = figures.LineFilter(
            area,
            data.get("period"),
            data.get("show") or "paid",
            data["program"].pk if data.get("program") else None,
            data.get("reason") or "",
        )
        found = figures.lines_of(request.user, wanted)
        count, total = figures.lines_total(found)
        listed = found.select_related("entitlement", "program", "outcome", "reversed_by", "batch")
        rows, next_cursor, page_status = _page_of(request, listed, "id", descending=True)
        status = max(status, page_status)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {"form": form, "area": area, "rows": rows, "next_cursor": next_cursor, "count": count,
               "total": total, "query": params.urlencode()}  # fmt: skip
    return render(request, "benefits/batches/lines.html", context, status=status)


# --- the standards ----------------------------------------------------------------------------------------------


@page("benefits.view", methods=("GET", "POST"))
def standards(request: AuthedRequest) -> HttpResponse:
    may_publish = request.user.can("benefits.standards")
    if request.method == "POST" and not may_publish:
        raise PermissionDenied
    form = StandardForm(request.POST or None) if may_publish else None
    if form is not None:

        def publish(data: dict[str, Any]) -> Any:
            return publish_standard(
                actor=request.user, program=data["program"], amount=data["amount"],
                effective_from=data["effective_from"], grade=data["grade"] or 0, cause=data["cause"],
                per=data["per"], document=data["document"].strip(),
            )  # fmt: skip

        published = submit_form(request, form, publish)
        if published is not None:
            text = _("The standard is published: %(standard)s, in force from %(month)s.") % {
                "standard": published, "month": f"{published.effective_from:%Y-%m}"
            }  # fmt: skip
            if figures.back_dated(published):
                text += " " + _("It is back-dated: the next batch pays the difference for the months already paid.")
            messages.success(request, text)
            return redirect("benefits:standards")
    today = timezone.localdate()
    context = {
        "form": form,
        "programs": figures.standards_overview(month_start(today)),
        "month": month_start(today),
    }
    return render(request, "benefits/batches/standards.html", context, status=400 if form and form.errors else 200)


# --- the overpayments -------------------------------------------------------------------------------------------


@page("benefits.view", methods=("GET", "POST"), params=(*OverpaymentFilterForm.base_fields, "cursor"))
def overpayments(request: AuthedRequest) -> HttpResponse:
    may_settle = request.user.can("benefits.manage")
    if request.method == "POST" and not may_settle:
        raise PermissionDenied
    bound = None
    if request.method == "POST":
        bound = SettleForm(request.POST, auto_id="settle_%s")
        if bound.is_valid():
            data = bound.cleaned_data
            found = Overpayment.objects.visible_to(request.user, "manage").filter(pk=data["overpayment"]).first()
            if found is None:
                bound.add_error(None, _("That overpayment is not one you may settle."))
            else:
                try:
                    overpayment_settle(actor=request.user, overpayment=found, state=data["state"],
                                       on=data["settled_on"], note=data["note"])  # fmt: skip
                except ValidationError as exc:
                    apply_errors(bound, exc)
                else:
                    messages.success(request, _("The overpayment of %(name)s is settled: %(state)s.")
                                     % {"name": found.entitlement.beneficiary_name,
                                        "state": OverpaymentState(data["state"]).label})  # fmt: skip
                    return redirect(request.get_full_path())
    filters = OverpaymentFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    found_list = Overpayment.objects.visible_to(request.user).select_related("entitlement__program", "line")
    if data.get("state"):
        found_list = found_list.filter(state=data["state"])
    area, refused = list_area(request.user, request.GET.get("region", ""))
    if refused:
        filters.add_error(None, _("No region of your area has this code."))
    elif area is not None:
        found_list = found_list.filter(region_code__startswith=area.prefix)
    if data.get("period"):  # the months the overpayments were found in (the cockpit counts them so)
        first, after = data["period"]
        found_list = found_list.filter(found_at__date__gte=first, found_at__date__lt=after)
    rows, next_cursor, status = _page_of(request, found_list, "id", descending=True)
    if filters.errors:
        status = 400
    settle_id = bound.data.get("overpayment") if bound is not None else None
    for row in rows:
        if may_settle and row.state == OverpaymentState.OPEN:
            mine = bound is not None and str(settle_id) == str(row.pk)
            row.settle_form = bound if mine else SettleForm(
                initial={"overpayment": row.pk, "settled_on": timezone.localdate()}, auto_id=f"settle{row.pk}_%s"
            )  # fmt: skip
    if bound is not None and bound.errors:
        status = 400
        if not any(getattr(r, "settle_form", None) is bound for r in rows):
            messages.error(request, "; ".join(str(e) for errs in bound.errors.values() for e in errs))
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {"rows": rows, "next_cursor": next_cursor, "filters": filters, "query": params.urlencode(),
               "area": area}  # fmt: skip
    return render(request, "benefits/batches/overpayments.html", context, status=status)


urlpatterns = [
    path("", home, name="home"),
    path("batches/<id:pk>/", batch_detail, name="batch"),
    path("batches/<id:pk>/take-out/", batch_take_out, name="batch_take_out"),
    path("batches/<id:pk>/bank-file.<str:fmt>", batch_bank_file, name="batch_bank_file"),
    path("batches/<id:pk>/return-file/", batch_return_file, name="batch_return_file"),
    path("figures/", paid_figures, name="figures"),
    path("lines/", lines, name="lines"),
    path("figures.csv", paid_figures_csv, name="figures_csv"),
    path("standards/", standards, name="standards"),
    path("overpayments/", overpayments, name="overpayments"),
]
