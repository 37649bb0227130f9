"""The quarterly ranking's pages: the frozen rankings and the freeze form, a ranking's public notice (公示) with
its objection period and the final ranking after it, its PDF, objections raised from the notice (or by the
veteran from “my ranking”), and the objections' register on the kit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.access import Target, page
from core.pagination import keyset_page
from core.types import AuthedRequest
from core.views import submit_form
from points import ranking as services
from points.forms_ranking import FreezeForm, ObjectionForm, WithinForm, disputed_choices
from points.models import Objection, Phase, Ranking, RankingState
from points.pdf import render_notice
from points.quarters import label
from points.ranking_register import OBJECTIONS_REGISTER, RANKINGS
from regions.models import LEVEL_ORDER, PREFIX_LENGTH, Level, Region, ancestor_code, level_of, prefix_of
from veterans.models import Veteran
from workflow.kit import PAGE_SIZE, detail_page, list_page, list_params, subject_by_case, subject_list
from workflow.services.access import region_names

#: Rows of a notice on one page (a town of the province has ~4,000; the PDF prints them all): a page of 100 renders
#: in about 50 ms at province scale (bench/points_freeze.py).
ROWS_PER_PAGE = 100


def rank_field(ranking: Ranking) -> str:
    """The rank a row is shown by: in the town for a town's ranking, in the city for the city's (or larger)."""
    return "rank_town" if level_of(ranking.region_code) in (Level.TOWN, None) else "rank_city"


# --- the rankings ----------------------------------------------------------------------------------------------


def _list(request: AuthedRequest, form: FreezeForm | None, status: int = 200, **extra: Any) -> HttpResponse:
    try:
        rows, next_cursor = keyset_page(
            subject_list(RANKINGS, user=request.user), key="id",
            cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE, descending=True,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        rows, next_cursor, status = [], None, 400
    names = region_names(r.region_code for r in rows)
    for r in rows:
        r.area = names.get(r.region_code, r.region_code)
        r.quarter_label = label(r.quarter)
        r.period = services.period(r)
    context = {"rows": rows, "next_cursor": next_cursor, "form": form, **extra}
    return render(request, "points/rankings.html", context, status=status)


@page(RANKINGS.view_capability, params=("cursor",))
def rankings(request: AuthedRequest) -> HttpResponse:
    form = FreezeForm(user=request.user) if request.user.can(RANKINGS.open_capability) else None
    return _list(request, form)


@page(RANKINGS.open_capability, methods=("POST",))
def ranking_freeze(request: AuthedRequest) -> HttpResponse:
    form = FreezeForm(request.POST, user=request.user)
    result = submit_form(request, form, lambda d: services.freeze(actor=request.user, quarter=d["quarter"],
                                                                   region=d["region"]))  # fmt: skip
    if result is None:
        return _list(request, form, status=400)
    ranking, made = result
    if not made:
        return _list(request, FreezeForm(user=request.user), already=ranking)
    messages.success(request, _("Frozen: %(n)s people ranked; the public notice and its objection period begin today.")
                     % {"n": ranking.people})  # fmt: skip
    return redirect("points:ranking", pk=ranking.case_id)


def _places(ranking: Ranking, asked: str) -> list[tuple[str, Any]]:
    """What the rows may be narrowed to, from the network (a province's ranking has 1.5 million rows): the areas
    from under the ranking's area down to the one asked for, and those one level under that one."""
    top = ranking.region_code
    chain: list[Region] = []
    if asked and asked != top and asked.startswith(prefix_of(top)) and level_of(asked):
        depth = LEVEL_ORDER.index(str(level_of(asked)))
        codes = [ancestor_code(asked, lv) for lv in LEVEL_ORDER[: depth + 1] if PREFIX_LENGTH[lv] > len(prefix_of(top))]
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        chain = [found[c] for c in codes if c in found]
        if len(chain) != len(codes):
            chain = []  # no such area: the form refuses it
    under = Region.objects.filter(parent__code=chain[-1].code if chain else top).order_by("code")
    places: list[tuple[str, Any]] = [(r.code, r.name) for r in chain]
    below = [(r.code, f"{chain[-1].name if chain else ''} · {r.name}".lstrip(" ·")) for r in under]
    return places + below


#: One row of the table: the eight labels ({0}–{7}, for the phone's card layout), then the eight cells.
_ROW = (
    '<tr><td data-label="{0}">{8}</td><td class="card-title" data-label="{1}">{9}</td><td data-label="{2}">{10}</td>'
    '<td data-label="{3}">{11}</td><td data-label="{4}">{12}</td><td data-label="{5}">{13}</td>'
    '<td data-label="{6}">{14}</td><td data-label="{7}">{15}</td>{link}</tr>\n'
)


def _table_body(rows: Any, object_url: str) -> str:
    """The rows of one page as the table's body, built here rather than in a template loop: a page of 100 rows of
    nine cells, each with its label for the phone's card layout, costs the template engine most of the page's
    time (bench/points_freeze.py). Only the text cells are escaped (names and places); the rest are numbers.
    ``object_url``, when objections are open, links each row to an objection."""
    labels = [escape(label) for label in (
        pgettext("ranking", "Rank"), _("Name"), _("Village"), _("Rank in village"), _("Grid"), _("Rank in grid"),
        _("Points"), _("Entries"))]  # fmt: skip
    link = format_html('<td><a href="{}?veteran={{16}}">{}</a></td>', object_url, pgettext("ranking", "Object"))
    row_format = _ROW.replace("{link}", link if object_url else "")
    body = [
        row_format.format(*labels, int(row.rank), escape(row.name), escape(row.village), int(row.rank_village),
                          escape(row.grid) if row.grid else "—", row.rank_grid or "—", int(row.score),
                          int(row.entries), row.veteran_id)
        for row in rows
    ]  # fmt: skip
    return SafeString("".join(body))


def _rows(request: AuthedRequest, ranking: Ranking, object_url: str) -> dict[str, Any]:
    """The notice's (or the final) rows, of the chosen area under the ranking's, one page, with their places'
    names."""
    form = WithinForm(request.GET or None, places=_places(ranking, request.GET.get("within", "").strip()))
    within = form.cleaned_data.get("within", "") if form.is_valid() else ""
    field = rank_field(ranking)
    paginator = Paginator(services.rows(ranking, within=within), ROWS_PER_PAGE)
    rows = paginator.get_page(request.GET.get("page"))
    # the ranking's own area apart: the page's places share a town, and are read as its range (region_names)
    names = region_names(c for row in rows for c in (row.village_code, row.grid_code) if c)
    names.update(region_names([ranking.region_code]))
    for row in rows:
        row.rank = getattr(row, field) or row.rank_town
        row.village = names.get(row.village_code, "")
        row.grid = names.get(row.grid_code, "")
    return {"within_form": form, "within": within, "page_rows": rows, "rows_html": _table_body(rows, object_url),
            "names": names}  # fmt: skip


def _ranking_extra(request: AuthedRequest) -> Any:
    def extra(ranking: Ranking) -> dict[str, Any]:
        user = request.user
        may_object = services.objection_window_open(ranking) and user.can("points.object")
        object_url = reverse("points:objection_new", args=[ranking.case_id]) if may_object else ""
        context = _rows(request, ranking, object_url)
        context.update(
            r=ranking,
            area=context["names"].get(ranking.region_code, ranking.region_code),
            quarter_label=label(ranking.quarter),
            period=services.period(ranking),
            final=ranking.state == RankingState.FINAL,
            may_object=may_object,
            objections=Objection.objects.visible_to(user).filter(ranking=ranking).select_related("case", "veteran"),
        )
        return context

    return extra


@page(RANKINGS.view_capability, target=Target(Ranking, "case_id"), params=("within", "page"))
def ranking_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(RANKINGS, request, pk, template="points/ranking.html", extra=_ranking_extra(request))


@page(RANKINGS.view_capability, target=Target(Ranking, "case_id"), params=("within", "page"))
def ranking_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    """The public notice (公示) itself, as a village station or a grid leader reads it: the rows, by area and page,
    with the objection links while the period is open; without the case's steps and history (the ranking's own
    page), which cost more than the rows (bench/points_freeze.py times this page)."""
    ranking = subject_by_case(RANKINGS, user=request.user, case_pk=pk)
    context = _ranking_extra(request)(ranking)
    context["case"] = ranking.case
    return render(request, "points/ranking_notice.html", context)


@page(RANKINGS.view_capability, target=Target(Ranking, "case_id"), no_store=True)
def ranking_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The notice (or the final ranking) to print and post: a public notice of names and scores, so not audited
    as an export; sent as a download that no browser or proxy keeps."""
    ranking = subject_by_case(RANKINGS, user=request.user, case_pk=pk)
    field = rank_field(ranking)
    rows = list(services.rows(ranking))
    for row in rows:
        row.rank = getattr(row, field) or row.rank_town
    names = region_names([ranking.region_code, *(r.village_code for r in rows)])
    pdf = render_notice(ranking, rows, area=names.get(ranking.region_code, ""), period=services.period(ranking),
                        places=names)  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ranking-{ranking.quarter}-{ranking.region_code}.pdf"'
    return response


# --- objections ------------------------------------------------------------------------------------------------


def _objection_form(request: AuthedRequest, ranking: Ranking, veteran: Veteran) -> tuple[ObjectionForm, Any]:
    """The form for an objection to ``veteran``'s row, and, once sent and accepted, the objection."""
    form = ObjectionForm(request.POST or None, choices=disputed_choices(veteran.pk, ranking.quarter))

    def action(data: dict[str, Any]) -> Objection:
        return services.objection_open(actor=request.user, ranking=ranking, veteran=veteran,
                                       disputed=data["disputed"], claim=data["claim"])  # fmt: skip

    return form, submit_form(request, form, action)


def _raised(request: AuthedRequest, objection: Objection) -> HttpResponse:
    messages.success(request, _("Objection %(number)s raised; the town station reviews it.")
                     % {"number": objection.case.number})  # fmt: skip
    return redirect("points:objection", pk=objection.case_id)


@page("points.object", target=Target(Ranking, "case_id"), methods=("GET", "POST"), params=("veteran",))
def objection_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """A station raises an objection for a veteran of the ranking (chosen from the notice's rows)."""
    ranking = subject_by_case(RANKINGS, user=request.user, case_pk=pk)
    raw = request.GET.get("veteran", "")
    found = (
        Veteran.objects.visible_to(request.user).filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    if found is None or not ranking.rows.filter(veteran=found).exists():
        messages.error(request, _("Choose a veteran of your area from the ranking's rows."))
        return redirect("points:ranking", pk=pk)
    form, objection = _objection_form(request, ranking, found)
    if objection is not None:
        return _raised(request, objection)
    context = {"r": ranking, "veteran": found, "form": form, "quarter_label": label(ranking.quarter),
               "period": services.period(ranking), "open": services.objection_window_open(ranking)}  # fmt: skip
    return render(request, "points/objection_form.html", context, status=400 if form.errors else 200)


@page("points.object_own", methods=("GET", "POST"), params=("ranking",))
def my_ranking(request: AuthedRequest) -> HttpResponse:
    """The veteran's own place in each ranking they are in, and an objection to their own row while the period
    is open."""
    veteran_id = getattr(request.user, "veteran_id", None)
    if not veteran_id:
        context: dict[str, Any] = {"rows": [], "chosen": None, "form": None, "unbound": True}
        return render(request, "points/ranking_mine.html", context, status=400 if request.method == "POST" else 200)
    veteran = Veteran.objects.get(pk=veteran_id)
    mine = []
    for row in services.own_rows(veteran):
        ranking = row.ranking
        if row.phase != (Phase.FINAL if ranking.state == RankingState.FINAL else Phase.NOTICE):
            continue
        row.rank = getattr(row, rank_field(ranking)) or row.rank_town
        row.quarter_label = label(ranking.quarter)
        row.period = services.period(ranking)
        row.open = services.objection_window_open(ranking)
        mine.append(row)
    names = region_names(r.ranking.region_code for r in mine)
    for row in mine:
        row.area = names.get(row.ranking.region_code, "")
    raw = request.POST.get("ranking") or request.GET.get("ranking", "")
    chosen = next((r for r in mine if str(r.ranking_id) == raw and r.open), None)
    form = None
    if chosen is not None:
        form, objection = _objection_form(request, chosen.ranking, veteran)
        if objection is not None:
            return _raised(request, objection)
    status = 400 if (form is not None and form.errors) or (request.method == "POST" and chosen is None) else 200
    if request.method == "POST" and chosen is None:
        messages.error(request, _("Objections to this ranking are closed."))
    return render(request, "points/ranking_mine.html", {"rows": mine, "chosen": chosen, "form": form}, status=status)


@page(OBJECTIONS_REGISTER.view_capability, params=list_params(OBJECTIONS_REGISTER))
def objections(request: AuthedRequest) -> HttpResponse:
    return list_page(OBJECTIONS_REGISTER, request, template="points/objections.html")


def _objection_extra(request: AuthedRequest) -> Any:
    def extra(objection: Objection) -> dict[str, Any]:
        ranking = objection.ranking
        return {
            "o": objection,
            "quarter_label": label(ranking.quarter),
            "area": region_names([ranking.region_code]).get(ranking.region_code, ranking.region_code),
            "ranking_visible": Ranking.objects.visible_to(request.user).filter(pk=ranking.pk).exists(),
        }

    return extra


@page(OBJECTIONS_REGISTER.view_capability, target=Target(Objection, "case_id"))
def objection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(
        OBJECTIONS_REGISTER, request, pk, template="points/objection.html", extra=_objection_extra(request)
    )


urlpatterns = [
    path("rankings/", rankings, name="rankings"),
    path("rankings/freeze/", ranking_freeze, name="ranking_freeze"),
    path("rankings/<id:pk>/", ranking_detail, name="ranking"),
    path("rankings/<id:pk>/notice/", ranking_notice, name="ranking_notice"),
    path("rankings/<id:pk>/pdf", ranking_pdf, name="ranking_pdf"),
    path("rankings/<id:pk>/object/", objection_new, name="objection_new"),
    path("my-ranking/", my_ranking, name="my_ranking"),
    path("objections/", objections, name="objections"),
    path("objections/<id:pk>/", objection_detail, name="objection"),
]
