"""The veterans' portal pages (/me/): sign in by SMS code, open an account for one's record, and what is one's
own — the record, points, payments, whom to call, and the family members who act for one (代办).

Made for a phone and for older eyes (适老化): one column, large type, a switch to larger still with more
contrast (kept in a cookie, read without JavaScript). Every page reads through ``portal.selectors``; a page
about another veteran is a 404."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import Proxy
from core.access import page
from core.clients import client_ip
from core.ids import parse_id
from core.notify import unread_count
from core.types import AuthedRequest
from core.views import apply_errors, submit_form
from portal import selectors, signin, sso, station
from portal.forms import AidForm, CodeForm, CorrectionForm, FollowupForm, NeedForm, OpenForm, PhoneForm, ProxyForm

SIGN_IN = "portal:sign_in"
#: the cookie that keeps the 适老化 mode (larger type, more contrast) on this phone
MODE_COOKIE = "lb_elder"


def _ip(request: Any) -> str | None:
    return client_ip(request)


def _signed_in(request: HttpRequest, user: Any) -> HttpResponse:
    """Sign the account in and go on to the portal page it was asked for (a notice's link), else its home."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/me/") and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return redirect(wanted)
    return redirect("portal:home")


def _refused(form: Any, exc: ValidationError) -> int:
    apply_errors(form, exc)
    return 429 if isinstance(exc, signin.TooMany) else 400


@page(public=True, methods=("GET", "POST"), params=("next",), no_store=True)
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one, the number; step two, the code it was sent."""
    status, step = 200, "phone"
    phone_form, code_form = PhoneForm(), None
    if request.method == "POST" and "code" in request.POST:
        code_form, step = CodeForm(request.POST), "code"
        if code_form.is_valid():
            try:
                user = signin.sign_in_by_code(phone=code_form.cleaned_data["phone"],
                                              code=code_form.cleaned_data["code"])  # fmt: skip
            except ValidationError as exc:
                status = _refused(code_form, exc)
            else:
                return _signed_in(request, user)
        else:
            status = 400
    elif request.method == "POST":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                said = signin.request_sign_in_code(phone=phone_form.cleaned_data["phone"], ip=_ip(request))
            except ValidationError as exc:
                status = _refused(phone_form, exc)
            else:
                messages.info(request, said)
                code_form, step = CodeForm(initial={"phone": phone_form.cleaned_data["phone"]}), "code"
        else:
            status = 400
    wanted = (request.POST.get("next") or request.GET.get("next") or "")[:200]
    context = {"phone_form": phone_form, "code_form": code_form, "step": step, "sso": sso.providers(),
               "next": wanted if wanted.startswith("/me/") else ""}  # fmt: skip
    return render(request, "portal/sign_in.html", context, status=status)


@page(public=True, methods=("GET", "POST"), no_store=True)
def open_account(request: HttpRequest) -> HttpResponse:
    """Open an account for one's own record: name and ID number, then the code sent to the phone on it."""
    form, status, sent = OpenForm(request.POST or None), 200, False
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                if data["code"]:
                    bound = signin.bind_self(name=data["name"], id_number=data["id_number"], code=data["code"])
                    messages.success(request, _("Your account is open."))
                    return _signed_in(request, bound.user)
                messages.info(request, signin.request_bind_code(name=data["name"], id_number=data["id_number"],
                                                                ip=_ip(request)))  # fmt: skip
                sent = True
            except ValidationError as exc:
                status = _refused(form, exc)
                sent = bool(data["code"])
    return render(request, "portal/open.html", {"form": form, "sent": sent}, status=status)


@page(public=True, examples={"key": "zlb"})
def sso_start(request: HttpRequest, key: str) -> HttpResponse:
    """Off to the government sign-on (浙里办): it sends the person back to ``sso_callback``."""
    provider = sso.providers().get(key)
    if provider is None:
        raise Http404
    state = sso.new_state()
    request.session[f"sso:{key}"] = state
    return redirect(provider.authorize_url(state=state, redirect_uri=_callback(request, key)))


def _callback(request: HttpRequest, key: str) -> str:
    return request.build_absolute_uri(reverse("portal:sso_callback", args=[key]))


@page(public=True, params=("code", "state"), no_store=True, examples={"key": "zlb"})
def sso_callback(request: HttpRequest, key: str) -> HttpResponse:
    """Back from the sign-on: the state must be the one this browser was sent with; then who the person is."""
    provider = sso.providers().get(key)
    if provider is None:
        raise Http404
    expected = request.session.pop(f"sso:{key}", None)
    state, code = request.GET.get("state", "")[:100], request.GET.get("code", "")[:500]
    try:
        if not expected or not code or not secrets.compare_digest(str(expected), state):
            raise sso.refused()
        who = provider.identify(code=code, redirect_uri=_callback(request, key))
        user = signin.sign_in_by_identity(id_number=who.id_number, name=who.name, phone=who.phone)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        context = {"phone_form": PhoneForm(), "code_form": None, "step": "phone", "sso": sso.providers()}
        return render(request, "portal/sign_in.html", context, status=400)
    return _signed_in(request, user)


@page(public=True, methods=("POST",))
def mode(request: HttpRequest) -> HttpResponse:
    """Switch the 适老化 mode on this phone, and go back to the page it was switched on."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = reverse("portal:home")
    response = redirect(back)
    if request.COOKIES.get(MODE_COOKIE) == "1":
        response.delete_cookie(MODE_COOKIE)
    else:
        response.set_cookie(MODE_COOKIE, "1", max_age=3600 * 24 * 365 * 5, samesite="Lax", httponly=True)
    return response


# --- one's own --------------------------------------------------------------------------------------------------


def _veteran(request: AuthedRequest) -> Any:
    """The veteran the page is about (``?for=``: one the account acts for), or 404."""
    raw = request.GET.get("for", "")
    wanted = parse_id(raw) if raw else None
    if raw and wanted is None:
        raise Http404
    return selectors.chosen(request.user, wanted)


def _unlinked(request: AuthedRequest) -> HttpResponse:
    """An account that represents nobody: not linked to a record yet, or no longer acting for anyone."""
    return render(request, "portal/unlinked.html", {})


def _context(request: AuthedRequest, veteran: Any, **extra: Any) -> dict[str, Any]:
    people = selectors.represented(request.user)
    return {"veteran": veteran, "people": people, "acting": veteran.pk != request.user.veteran_id,
            "for_query": f"?for={veteran.pk}" if len(people) > 1 else "", **extra}  # fmt: skip


@page("me.view", params=("for",), sign_in=SIGN_IN)
def home(request: AuthedRequest) -> HttpResponse:
    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    points = selectors.points_of(request.user, veteran)
    months = selectors.payments_of(request.user, veteran, limit=1)
    needs = selectors.needs_of(request.user, veteran)
    context = _context(request, veteran, points=points, last_month=months[0] if months else None,
                       contacts=selectors.contacts_of(veteran), open_needs=sum(1 for n in needs if n.step),
                       followups=sum(1 for n in needs if n.followup is not None),
                       unread=unread_count(request.user))  # fmt: skip
    return render(request, "portal/home.html", context)


@page("me.view", methods=("GET", "POST"), params=("for",), sign_in=SIGN_IN)
def record(request: AuthedRequest) -> HttpResponse:
    """The record as the bureau holds it, and the requests to correct it (资料更正): send one to the station."""
    from portal.corrections import CorrectionInput, correction_request

    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    form = CorrectionForm(request.POST or None)
    sent = submit_form(
        request,
        form,
        lambda data: correction_request(
            actor=request.user, veteran_id=veteran.pk, data=CorrectionInput(data["item"], data["right"], data["wrong"])
        ),
    )
    if sent is not None:
        messages.success(request, _("Your request is sent to your station: you are told when it is done."))
        return redirect(f"{reverse('portal:record')}{_for_query(request, veteran)}")
    status = 400 if form.errors else 200
    context = _context(request, veteran, record=selectors.record_of(veteran), form=form,
                       corrections=selectors.corrections_of(request.user, veteran))  # fmt: skip
    return render(request, "portal/record.html", context, status=status)


@page("me.view", params=("for",), sign_in=SIGN_IN)
def points(request: AuthedRequest) -> HttpResponse:
    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    return render(request, "portal/points.html",
                  _context(request, veteran, points=selectors.points_of(request.user, veteran)))  # fmt: skip


@page("me.view", params=("for",), sign_in=SIGN_IN)
def payments(request: AuthedRequest) -> HttpResponse:
    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    return render(request, "portal/payments.html",
                  _context(request, veteran, months=selectors.payments_of(request.user, veteran)))  # fmt: skip


@page("me.view", params=("for",), sign_in=SIGN_IN)
def contacts(request: AuthedRequest) -> HttpResponse:
    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    return render(request, "portal/contacts.html", _context(request, veteran,
                                                            contacts=selectors.contacts_of(veteran)))  # fmt: skip


@page("me.view", methods=("GET", "POST"), params=("for",), sign_in=SIGN_IN)
def needs(request: AuthedRequest) -> HttpResponse:
    """The veteran's needs (急难愁盼) with where each stands; raise one; answer a 回访. Through the same services
    as the stations use, with the veteran's own scope."""
    from care.models import NeedSource
    from care.services import NeedInput, need_followup_answer, need_raise

    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    form, status = NeedForm(), 200
    rows = selectors.needs_of(request.user, veteran)
    answers = {row.followup.pk: FollowupForm(initial={"task": row.followup.pk}, prefix=f"f{row.followup.pk}")
               for row in rows if row.followup is not None}  # fmt: skip
    if request.method == "POST" and "task" in request.POST:
        task_id = parse_id(request.POST.get("task", "")) or 0
        if task_id not in answers:  # a 回访 of this veteran's, waiting for their answer; any other is not found
            raise Http404
        bound = FollowupForm(request.POST, prefix=f"f{task_id}") if f"f{task_id}-rating" in request.POST else (
            FollowupForm(request.POST))  # fmt: skip
        answers[task_id] = bound
        if bound.is_valid():
            try:
                need_followup_answer(actor=request.user, task_id=task_id, rating=bound.cleaned_data["rating"],
                                     words=bound.cleaned_data["words"])  # fmt: skip
            except ValidationError as exc:
                status = _refused(bound, exc)
            except PermissionDenied:  # the station took it meanwhile, to ask in person
                bound.add_error(None, _("Your station is asking you about it now: answer them."))
                status = 409
            else:
                messages.success(request, _("Thank you: your answer is recorded."))
                return redirect(f"{reverse('portal:needs')}{_for_query(request, veteran)}")
        else:
            status = 400
    elif request.method == "POST":
        form = NeedForm(request.POST)
        raised = submit_form(request, form, lambda data: need_raise(
            actor=request.user, veteran_id=veteran.pk, source=NeedSource.VETERAN,
            need=NeedInput(data["category"], data["description"])))  # fmt: skip
        if raised is not None:
            messages.success(request, _("Your need is sent to your station: you can follow it here."))
            return redirect(f"{reverse('portal:needs')}{_for_query(request, veteran)}")
        status = 400
    for row in rows:
        row.form = answers.get(row.followup.pk) if row.followup is not None else None  # type: ignore[attr-defined]
    return render(request, "portal/needs.html", _context(request, veteran, rows=rows, form=form), status=status)


@page("me.view", methods=("GET", "POST"), params=("for",), sign_in=SIGN_IN)
def aid(request: AuthedRequest) -> HttpResponse:
    """Hardship aid (困难帮扶): the applications with where each stands, and a new one — the same service as the
    village station's, with the veteran's own scope."""
    from aid.services import application_propose

    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    form = AidForm(request.POST or None)
    applied = submit_form(request, form, lambda data: application_propose(
        actor=request.user, veteran=veteran.pk, need=data["need"], circumstances=data["circumstances"],
        requested=data["requested"]))  # fmt: skip
    if applied is not None:
        messages.success(request, _("Your application is sent: the town station checks it first."))
        return redirect(f"{reverse('portal:aid')}{_for_query(request, veteran)}")
    status = 400 if form.errors else 200
    context = _context(request, veteran, form=form, applications=selectors.applications_of(request.user, veteran))
    return render(request, "portal/aid.html", context, status=status)


def _for_query(request: AuthedRequest, veteran: Any) -> str:
    return f"?for={veteran.pk}" if veteran.pk != request.user.veteran_id else ""


@page("me.view", params=("for",), sign_in=SIGN_IN)
def petitions(request: AuthedRequest) -> HttpResponse:
    veteran = _veteran(request)
    if veteran is None:
        return _unlinked(request)
    rows = selectors.petitions_of(request.user, veteran)
    return render(request, "portal/petitions.html", _context(request, veteran, rows=rows))


@page(public=True)
def policies(request: AuthedRequest) -> HttpResponse:
    """《老兵公约》 and the service standards: each procedure's steps with their time limits, read from the
    processes as they are declared (what the deadlines are counted by)."""
    return render(request, "portal/policies.html", {"standards": selectors.service_standards()})


@page("me.view", methods=("GET", "POST"), sign_in=SIGN_IN)
def notices(request: AuthedRequest) -> HttpResponse:
    """The account's notices, newest first (opening one marks it read), and whether they also come by SMS."""
    from core.models import Notification
    from core.notify import notifications_mark_read

    user = request.user
    if request.method == "POST":
        wanted = request.POST.get("sms") == "off"
        if wanted != user.sms_opt_out:
            user.sms_opt_out = wanted
            user.save(update_fields=["sms_opt_out"])
        messages.success(request, _("No more SMS notices: they stay here.") if wanted else
                         _("Notices come by SMS as well."))  # fmt: skip
        return redirect("portal:notices")
    items = list(Notification.objects.filter(user=user).order_by("-id")[:100])
    notifications_mark_read(user=user, ids=[n.pk for n in items if n.read_at is None])
    return render(request, "portal/notices.html", {"items": items, "sms_off": user.sms_opt_out})


@page("me.view", methods=("GET", "POST"), sign_in=SIGN_IN)
def family(request: AuthedRequest) -> HttpResponse:
    """The family members who act for the veteran (their own account only): authorise one, revoke one; and,
    for a family member, whom they act for (they may give it up)."""
    user = request.user
    form, status = ProxyForm(), 200
    if request.method == "POST" and "revoke" in request.POST:
        pk = parse_id(request.POST.get("revoke", ""))
        proxy = Proxy.objects.filter(pk=pk, veteran_id=user.veteran_id).first() if pk and user.veteran_id else None
        proxy = proxy or (Proxy.objects.filter(pk=pk, user=user).first() if pk else None)
        if proxy is None:
            raise Http404
        signin.proxy_revoke(actor=user, proxy=proxy)
        messages.success(request, _("The authorisation is revoked."))
        return redirect("portal:family")
    if request.method == "POST":
        if user.veteran is None:
            raise Http404
        form = ProxyForm(request.POST)
        veteran = user.veteran
        granted_to = submit_form(
            request,
            form,
            lambda data: signin.proxy_grant(
                actor=user, veteran=veteran, phone=data["phone"], name=data["name"], relation=data["relation"]
            ),
        )
        if granted_to is not None:
            messages.success(request, _("%(name)s may now act for you.") % {"name": form.cleaned_data["name"]})
            return redirect("portal:family")
        status = 400
    granted = (Proxy.objects.filter(veteran_id=user.veteran_id, revoked_at__isnull=True).select_related("user")
               if user.veteran_id else Proxy.objects.none())  # fmt: skip
    acting = Proxy.objects.filter(user=user, revoked_at__isnull=True).select_related("veteran")
    context = {"form": form if user.veteran_id else None, "granted": granted, "acting_for": acting}
    return render(request, "portal/family.html", context, status=status)


urlpatterns = [
    path("", home, name="home"),
    path("sign-in/", sign_in, name="sign_in"),
    path("open/", open_account, name="open"),
    path("mode/", mode, name="mode"),
    path("sso/<slug:key>/", sso_start, name="sso_start"),
    path("sso/<slug:key>/callback/", sso_callback, name="sso_callback"),
    path("record/", record, name="record"),
    path("points/", points, name="points"),
    path("payments/", payments, name="payments"),
    path("contacts/", contacts, name="contacts"),
    path("needs/", needs, name="needs"),
    path("aid/", aid, name="aid"),
    path("notices/", notices, name="notices"),
    path("petitions/", petitions, name="petitions"),
    path("policies/", policies, name="policies"),
    path("family/", family, name="family"),
    path("station/<id:pk>/", station.account, name="station_account"),
    path("station/corrections/<id:pk>/", station.correction, name="correction"),
]
