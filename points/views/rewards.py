"""What points are redeemed for: the rewards, their editing by the bureau, and a redemption at a station."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.access import page
from core.errors import invalid
from core.pickers import bind
from core.types import AuthedRequest
from core.views import submit_form
from points import catalog as services
from points.entries import redeem
from points.forms import RedeemForm, RewardForm
from points.models import Reward
from veterans.models import Veteran


def _redeem_form(request: AuthedRequest, data: Any = None) -> RedeemForm:
    rewards = list(Reward.objects.filter(active=True))
    initial = {}
    raw = request.GET.get("veteran") or ""
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        initial["veteran"] = raw
    return bind(RedeemForm(data, rewards=rewards, initial=initial), request.user)


def _page(request: AuthedRequest, form: RedeemForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    can_redeem = user.can("points.redeem")
    context = {
        "rewards": Reward.objects.all() if user.can("points.catalog") else Reward.objects.filter(active=True),
        "can_edit": user.can("points.catalog"),
        "can_redeem": can_redeem,
        "form": form or (_redeem_form(request) if can_redeem else None),
    }
    return render(request, "points/rewards.html", context, status=status)


@page("points.view", params=("veteran",))
def rewards(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@page("points.redeem", methods=("POST",))
def reward_redeem(request: AuthedRequest) -> HttpResponse:
    form = _redeem_form(request, request.POST)

    def action(data: dict[str, Any]) -> Any:
        vid = data.get("veteran")
        if not vid:
            raise invalid("veteran", _("Choose a veteran of your area."), code="required")
        return redeem(actor=request.user, veteran=int(vid), reward=int(data["reward"]), note=data.get("note") or "")

    row = submit_form(request, form, action)
    if row is None:
        return _page(request, form, status=400)
    person = Veteran.objects.get(pk=row.veteran_id)
    messages.success(request, _("%(name)s redeemed “%(reward)s” for %(points)s points.")
                     % {"name": person.name, "reward": row.reward.name, "points": -row.points})  # fmt: skip
    return redirect("points:ledger", pk=row.veteran_id)


REWARD = {"code": "books"}


@page("points.catalog", methods=("GET", "POST"))
def reward_new(request: AuthedRequest) -> HttpResponse:
    return _edit(request, None)


@page("points.catalog", methods=("GET", "POST"), examples=REWARD)
def reward_edit(request: AuthedRequest, code: str) -> HttpResponse:
    return _edit(request, get_object_or_404(Reward, code=code))


def _edit(request: AuthedRequest, reward: Reward | None) -> HttpResponse:
    initial: dict[str, Any] = {"active": True}
    if reward is not None:
        initial = {f: getattr(reward, f) for f in ("name", "kind", "cost", "stock", "description", "active")}
    form = RewardForm(request.POST or None, initial=initial)

    def action(d: dict[str, Any]) -> Reward:
        data = services.RewardInput(name=d["name"], kind=d["kind"], cost=d["cost"], stock=d.get("stock"),
                                    description=d.get("description") or "", active=d["active"])  # fmt: skip
        return services.reward_save(actor=request.user, reward=reward, data=data)

    saved = submit_form(request, form, action)
    if saved is not None:
        messages.success(request, _("The reward is saved."))
        return redirect("points:rewards")
    status = 400 if form.is_bound else 200
    return render(request, "points/reward_form.html", {"form": form, "reward": reward}, status=status)


urlpatterns = [
    path("rewards/", rewards, name="rewards"),
    path("rewards/redeem/", reward_redeem, name="redeem"),
    path("rewards/new/", reward_new, name="reward_new"),
    path("rewards/<slug:code>/", reward_edit, name="reward_edit"),
]
