"""The station's side of the portal: on a veteran's page, 老兵e家账号 — whether the record has an account (its
mobile masked), open one on the phone the veteran gives, and record or end the family members who act for
them (代办). Within the station's own scope (``veterans.manage`` on the record)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Proxy, User
from core.access import Target, page
from core.ids import parse_id
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.validators import mask_phone
from core.views import apply_errors
from portal import signin
from portal.forms import PHONE, ProxyForm
from portal.models import Correction
from veterans import choices as c
from veterans.models import Veteran


class OpenByStationForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("The veteran's mobile number"), max_length=20, widget=PHONE,
                            help_text=gettext_lazy("Their own, or the family phone they use: the sign-in code "
                                                   "is sent to it."))  # fmt: skip


@page("veterans.manage", target=Target(Veteran), methods=("GET", "POST"))
def account(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = get_visible_or_404(Veteran.objects.all(), request.user, "manage", pk=pk)
    opened = User.objects.filter(veteran=veteran).first()
    open_form, proxy_form, status = OpenByStationForm(), ProxyForm(), 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "open":
                open_form = OpenByStationForm(request.POST)
                if open_form.is_valid():
                    signin.bind_by_station(actor=request.user, veteran=veteran, phone=open_form.cleaned_data["phone"])
                    messages.success(request, _("The account is open: %(name)s signs in with the code sent to "
                                                "that number.") % {"name": veteran.name})  # fmt: skip
                    return redirect("portal:station_account", pk=veteran.pk)
                status = 400
            elif action == "proxy":
                proxy_form = ProxyForm(request.POST)
                if proxy_form.is_valid():
                    data = proxy_form.cleaned_data
                    signin.proxy_grant(actor=request.user, veteran=veteran, phone=data["phone"], name=data["name"],
                                       relation=data["relation"])  # fmt: skip
                    messages.success(request, _("%(name)s may now act for %(veteran)s.")
                                     % {"name": data["name"], "veteran": veteran.name})  # fmt: skip
                    return redirect("portal:station_account", pk=veteran.pk)
                status = 400
            elif action == "revoke":
                proxy_id = parse_id(request.POST.get("proxy", ""))
                proxy = Proxy.objects.filter(pk=proxy_id, veteran=veteran).first() if proxy_id else None
                if proxy is None:
                    raise Http404
                signin.proxy_revoke(actor=request.user, proxy=proxy)
                messages.success(request, _("The authorisation is revoked."))
                return redirect("portal:station_account", pk=veteran.pk)
            else:
                status = 400
        except ValidationError as exc:
            status = 400
            apply_errors(open_form if action == "open" else proxy_form, exc)
    proxies = list(Proxy.objects.filter(veteran=veteran).select_related("user", "granted_by").order_by("-granted_at"))
    relations = dict(c.choices(c.RELATIONS))
    for proxy in proxies:
        proxy.relation_label = relations.get(proxy.relation, proxy.relation)  # type: ignore[attr-defined]
    context = {
        "v": veteran, "opened": opened, "opened_phone": mask_phone(opened.phone) if opened and opened.phone else "",
        "open_form": open_form, "proxy_form": proxy_form, "proxies": proxies,
    }  # fmt: skip
    return render(request, "portal/station_account.html", context, status=status)


@page("veterans.view", target=Target(Correction, "case_id"))
def correction(request: AuthedRequest, pk: int) -> HttpResponse:
    """One request to correct a record: what the veteran says, the record's page to correct it on, and the step."""
    from portal.corrections import corrections_register
    from workflow.kit import detail_page

    return detail_page(corrections_register(), request, pk, template="portal/correction.html")
