"""The portal's API under /api/v1/me/…, for a native app: sign in by SMS code for a bearer token, then the
veteran's own record, points, payments, contacts and the family members acting for them (代办).

Every read goes through ``portal.selectors`` (the one access rule): ``?for=`` names a veteran the account
represents; any other id answers 404. The codes' limits answer 429 with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from accounts.models import Proxy
from accounts.services import api_token_issue
from core import idempotency
from core.access import endpoint
from core.clients import client_ip
from core.errors import bad_choice, invalid
from core.ids import Int64
from core.scoping import OWN_CAPABILITY
from core.types import AuthedRequest
from portal import selectors, signin
from veterans import choices as c

router = Router(tags=["portal"])


def _ip(request: Any) -> str | None:
    return client_ip(request)


def _limited(call: Any) -> Any:
    """Run a sign-in step; too many codes or tries answer 429 with the reason (the rest, 400 at the field)."""
    try:
        return call()
    except signin.TooMany as exc:
        first = next(iter(exc.error_dict.values()))[0] if hasattr(exc, "error_dict") else exc.error_list[0]
        raise HttpError(429, first.message) from None  # type: ignore[arg-type]  # lazy: said in both languages


class MePhoneIn(Schema):
    phone: str


class MeCodeIn(Schema):
    phone: str
    code: str


class MeOpenIn(Schema):
    name: str
    id_number: str


class MeOpenCodeIn(MeOpenIn):
    code: str


class MeSaidOut(Schema):
    detail: str


class MeTokenOut(Schema):
    token: str
    expires_at: dt.datetime
    veteran_id: int | None


def _token(user: Any) -> dict[str, Any]:
    token, raw = api_token_issue(user=user, label="portal")
    return {"token": raw, "expires_at": token.expires_at, "veteran_id": user.veteran_id}


@router.post("/me/codes", auth=None, response={202: MeSaidOut}, operation_id="me_codes")
@endpoint(public=True, errors=(429,))
def me_codes(request: AuthedRequest, payload: MePhoneIn) -> Status[dict[str, str]]:
    """Send a sign-in code to the number (the answer is the same whether it has an account or not)."""
    said = _limited(lambda: signin.request_sign_in_code(phone=payload.phone, ip=_ip(request)))
    return Status(202, {"detail": said})


@router.post("/me/sign-in", auth=None, response=MeTokenOut, operation_id="me_sign_in")
@endpoint(public=True, no_store=True, errors=(429,))
def me_sign_in(request: AuthedRequest, payload: MeCodeIn) -> dict[str, Any]:
    """The code for a bearer token of the account (send it as ``Authorization: Bearer …``)."""
    return _token(_limited(lambda: signin.sign_in_by_code(phone=payload.phone, code=payload.code)))


@router.post("/me/open-codes", auth=None, response={202: MeSaidOut}, operation_id="me_open_codes")
@endpoint(public=True, errors=(429,))
def me_open_codes(request: AuthedRequest, payload: MeOpenIn) -> Status[dict[str, str]]:
    """Send the code to open an account to the phone on the record with this name and ID number."""
    said = _limited(lambda: signin.request_bind_code(name=payload.name, id_number=payload.id_number,
                                                     ip=_ip(request)))  # fmt: skip
    return Status(202, {"detail": said})


@router.post("/me/open", auth=None, response={201: MeTokenOut}, operation_id="me_open")
@endpoint(public=True, no_store=True, errors=(429,))
def me_open(request: AuthedRequest, payload: MeOpenCodeIn) -> Status[dict[str, Any]]:
    """Open the account of one's own record with the code sent to its phone; answers a bearer token."""
    bound = _limited(lambda: signin.bind_self(name=payload.name, id_number=payload.id_number, code=payload.code))
    return Status(201, _token(bound.user))


# --- one's own ---------------------------------------------------------------------------------------------------


class MeVeteranOut(Schema):
    id: int
    name: str
    own: bool


class MeRecordOut(Schema):
    id: int
    name: str
    id_number: str  # masked
    phone: str  # masked
    enlisted_on: dt.date | None
    discharged_on: dt.date | None
    discharge_type: str
    address: str


class MeRankOut(Schema):
    quarter: str
    state: str
    state_label: str
    score: int
    rank_grid: int | None
    rank_village: int
    rank_town: int
    rank_city: int | None


class MePointsRowOut(Schema):
    id: int
    day: dt.date
    kind: str
    kind_label: str
    points: int
    item: str | None
    reward: str | None


class MePointsOut(Schema):
    balance: int
    owed: int
    rank: MeRankOut | None
    history: list[MePointsRowOut]


class MeLineOut(Schema):
    program: str
    kind: str
    amount: str
    held_reason: str
    held_label: str


class MeMonthOut(Schema):
    month: str
    paid: str
    held: str
    lines: list[MeLineOut]


class MeContactOut(Schema):
    label: str
    name: str
    phone: str
    shown: str


def _about(request: AuthedRequest, veteran_id: int | None) -> Any:
    veteran = selectors.chosen(request.user, veteran_id)
    if veteran is None:
        raise Http404
    return veteran


FOR = Query(None, alias="for", description="a veteran the account acts for (代办); the account's own by default")


@router.get("/me/veterans", response=list[MeVeteranOut], operation_id="me_veterans")
@endpoint(OWN_CAPABILITY)
def me_veterans(request: AuthedRequest) -> list[dict[str, Any]]:
    """Whom the account represents: its own record and those it acts for."""
    return [{"id": v.pk, "name": v.name, "own": v.pk == request.user.veteran_id}
            for v in selectors.represented(request.user)]  # fmt: skip


@router.get("/me/record", response=MeRecordOut, operation_id="me_record")
@endpoint(OWN_CAPABILITY)
def me_record(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> dict[str, Any]:
    veteran = _about(request, veteran_id)
    shown = selectors.record_of(veteran)
    return {"id": veteran.pk, "name": veteran.name, "id_number": shown["id_number"], "phone": shown["phone"],
            "enlisted_on": veteran.enlisted_on, "discharged_on": veteran.discharged_on,
            "discharge_type": veteran.get_discharge_type_display(), "address": veteran.address}  # fmt: skip


@router.get("/me/points", response=MePointsOut, operation_id="me_points")
@endpoint(OWN_CAPABILITY)
def me_points(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> dict[str, Any]:
    found = selectors.points_of(request.user, _about(request, veteran_id))
    rank = found.rank
    return {
        "balance": found.balance, "owed": found.owed,
        "rank": None if rank is None or found.ranking is None else {
            "quarter": found.ranking.quarter, "state": found.ranking.state,
            "state_label": found.ranking.get_state_display(), "score": rank.score,
            "rank_grid": rank.rank_grid, "rank_village": rank.rank_village, "rank_town": rank.rank_town,
            "rank_city": rank.rank_city,
        },
        "history": [{"id": e.pk, "day": e.day, "kind": e.kind, "kind_label": e.get_kind_display(), "points": e.points,
                     "item": e.version.name if e.version else None, "reward": e.reward.name if e.reward else None}
                    for e in found.history],
    }  # fmt: skip


@router.get("/me/payments", response=list[MeMonthOut], operation_id="me_payments")
@endpoint(OWN_CAPABILITY)
def me_payments(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> list[dict[str, Any]]:
    """Month by month, newest first: what the bank paid, by program, and what is held back (with the reason)."""
    months = selectors.payments_of(request.user, _about(request, veteran_id))
    return [{"month": m.month, "paid": str(m.paid), "held": str(m.held),
             "lines": [{"program": line.program.name, "kind": line.kind, "amount": str(line.amount),
                        "held_reason": line.held_reason, "held_label": line.get_held_reason_display()}
                       for line in m.lines]} for m in months]  # fmt: skip


@router.get("/me/contacts", response=list[MeContactOut], operation_id="me_contacts")
@endpoint(OWN_CAPABILITY)
def me_contacts(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> list[dict[str, Any]]:
    return [vars(c) for c in selectors.contacts_of(_about(request, veteran_id))]


# --- acting for a veteran (代办) ----------------------------------------------------------------------------------


class MeProxyIn(Schema):
    name: str
    phone: str
    relation: str


class MeProxyOut(Schema):
    id: int
    veteran_id: int
    name: str
    relation: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


def _proxy_out(proxy: Proxy) -> dict[str, Any]:
    return {"id": proxy.pk, "veteran_id": proxy.veteran_id, "name": proxy.user.display_name,
            "relation": proxy.relation, "granted_at": proxy.granted_at, "revoked_at": proxy.revoked_at}  # fmt: skip


@router.get("/me/proxies", response=list[MeProxyOut], operation_id="me_proxies")
@endpoint(OWN_CAPABILITY)
def me_proxies(request: AuthedRequest) -> list[dict[str, Any]]:
    """The family members acting for the account's own record, and those the account acts for."""
    user = request.user
    mine = Proxy.objects.filter(revoked_at__isnull=True, veteran_id=user.veteran_id) if user.veteran_id else None
    acting = Proxy.objects.filter(revoked_at__isnull=True, user=user)
    found = (mine | acting) if mine is not None else acting
    return [_proxy_out(p) for p in found.select_related("user").order_by("pk")]


@router.post("/me/proxies", response={201: MeProxyOut, 200: MeProxyOut}, operation_id="me_proxies_grant")
@endpoint(OWN_CAPABILITY)
def me_proxies_grant(
    request: AuthedRequest,
    payload: MeProxyIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[dict[str, Any]]:
    """Authorise a family member to act for one's own record (the same ``Idempotency-Key`` again answers 200
    with the first)."""
    user = request.user
    veteran = user.veteran
    if veteran is None:
        raise HttpError(403, _("Only a veteran's own account authorises family members."))  # type: ignore[arg-type]
    if payload.relation not in {value for value, _en, _zh in c.RELATIONS}:
        raise bad_choice("relation", c.choices(c.RELATIONS))
    proxy, new = idempotency.once(
        actor=user, key=idempotency.header_key(idempotency_key), request=payload.dict(),
        create=lambda: signin.proxy_grant(actor=user, veteran=veteran, phone=payload.phone, name=payload.name,
                                          relation=payload.relation),
    )  # fmt: skip
    return Status(201 if new else 200, _proxy_out(proxy))


@router.delete("/me/proxies/{proxy_id}", response=MeProxyOut, operation_id="me_proxies_revoke")
@endpoint(OWN_CAPABILITY, examples={"proxy_id": "1"})
def me_proxies_revoke(request: AuthedRequest, proxy_id: Int64) -> dict[str, Any]:
    """End an authorisation: the veteran's own, or one the account holds."""
    user = request.user
    proxy = Proxy.objects.filter(pk=proxy_id).first()
    if proxy is None or (proxy.veteran_id != user.veteran_id and proxy.user_id != user.pk):
        raise Http404
    try:
        return _proxy_out(signin.proxy_revoke(actor=user, proxy=proxy))
    except ValidationError:
        raise Http404 from None


# --- needs (急难愁盼) ---------------------------------------------------------------------------------------------


class MeNeedOut(Schema):
    id: int
    case_id: int
    number: str
    category: str
    category_label: str
    description: str
    raised_at: dt.datetime
    step: str  # the open step ("" once closed)
    due_on: dt.date | None
    resolution: str
    satisfaction: str
    satisfaction_label: str
    #: the 回访 waiting for the veteran's answer (its task id), if any
    followup_task_id: int | None


class MeNeedIn(Schema):
    category: str
    description: str


class MeFollowupIn(Schema):
    rating: str
    words: str = ""


def _need_out(row: Any) -> dict[str, Any]:
    need = row.need
    return {"id": need.pk, "case_id": need.case_id, "number": need.case.number, "category": need.category,
            "category_label": need.get_category_display(), "description": need.description,
            "raised_at": need.case.created_at, "step": row.step, "due_on": row.due_on,
            "resolution": need.resolution, "satisfaction": need.satisfaction,
            "satisfaction_label": need.get_satisfaction_display() if need.satisfaction else "",
            "followup_task_id": row.followup.pk if row.followup is not None else None}  # fmt: skip


@router.get("/me/needs", response=list[MeNeedOut], operation_id="me_needs")
@endpoint(OWN_CAPABILITY)
def me_needs(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> list[dict[str, Any]]:
    """The veteran's needs, newest first, with the step each is at, its due date and the 回访 to answer."""
    return [_need_out(row) for row in selectors.needs_of(request.user, _about(request, veteran_id))]


@router.post("/me/needs", response={201: MeNeedOut, 200: MeNeedOut}, operation_id="me_needs_raise")
@endpoint(OWN_CAPABILITY)
def me_needs_raise(
    request: AuthedRequest,
    payload: MeNeedIn,
    veteran_id: Int64 | None = FOR,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[dict[str, Any]]:
    """Raise a need: it goes to the veteran's station (the same ``Idempotency-Key`` again answers 200 with the
    first, and raises no second)."""
    from care.models import NeedSource
    from care.services import NeedInput, need_raise

    veteran = _about(request, veteran_id)
    need, new = idempotency.once(
        actor=request.user, key=idempotency.header_key(idempotency_key),
        request={**payload.dict(), "veteran": veteran.pk},
        create=lambda: need_raise(actor=request.user, veteran_id=veteran.pk, source=NeedSource.VETERAN,
                                  need=NeedInput(payload.category, payload.description)),
    )  # fmt: skip
    row = next(r for r in selectors.needs_of(request.user, veteran) if r.need.pk == need.pk)
    return Status(201 if new else 200, _need_out(row))


@router.post("/me/needs/followups/{task_id}", response=MeNeedOut, operation_id="me_needs_followup")
@endpoint(OWN_CAPABILITY, examples={"task_id": "1"})
def me_needs_followup(request: AuthedRequest, task_id: Int64, payload: MeFollowupIn) -> dict[str, Any]:
    """Answer a 回访: ``rating`` very / satisfied / basic closes the need; ``dissatisfied`` (with ``words``)
    reopens it. Only a 回访 waiting for this account's answer is found."""
    from care.services import need_followup_answer

    rows = [r for v in selectors.represented(request.user) for r in selectors.needs_of(request.user, v)]
    row = next((r for r in rows if r.followup is not None and r.followup.pk == task_id), None)
    if row is None:
        raise Http404
    if payload.rating == "dissatisfied" and not payload.words.strip():
        raise invalid("words", _("Say what is still wrong: the station takes it up again."), code="required")
    need = need_followup_answer(actor=request.user, task_id=task_id, rating=payload.rating, words=payload.words)
    veteran = next(v for v in selectors.represented(request.user) if v.pk == need.case.veteran_id)
    return _need_out(next(r for r in selectors.needs_of(request.user, veteran) if r.need.pk == need.pk))


# --- petitions (信访) ---------------------------------------------------------------------------------------------


class MePetitionOut(Schema):
    id: int
    case_id: int
    number: str
    received_on: dt.date
    subject: str
    subject_label: str
    content: str
    state: str
    state_label: str
    step: str
    due_on: dt.date | None


@router.get("/me/petitions", response=list[MePetitionOut], operation_id="me_petitions")
@endpoint(OWN_CAPABILITY)
def me_petitions(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> list[dict[str, Any]]:
    """The veteran's petitions, newest first, with the step each is at and its due date."""
    rows = selectors.petitions_of(request.user, _about(request, veteran_id))
    return [{"id": r.petition.pk, "case_id": r.petition.case_id, "number": r.petition.case.number,
             "received_on": r.petition.received_on, "subject": r.petition.subject,
             "subject_label": r.petition.get_subject_display(), "content": r.petition.content,
             "state": r.petition.case.state, "state_label": r.petition.case.get_state_display(), "step": r.step,
             "due_on": r.due_on} for r in rows]  # fmt: skip


# --- hardship aid and record corrections -------------------------------------------------------------------------


class MeAidIn(Schema):
    need: str
    circumstances: str
    requested: str


class MeAidOut(Schema):
    id: int
    case_id: int
    number: str
    need: str
    need_label: str
    circumstances: str
    requested: str
    state: str
    state_label: str
    step: str
    due_on: dt.date | None


def _aid_out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "case_id": a.case_id, "number": a.case.number, "need": a.need,
            "need_label": a.get_need_display(), "circumstances": a.circumstances, "requested": str(a.requested),
            "state": a.case.state, "state_label": a.case.get_state_display(), "step": getattr(a, "step", ""),
            "due_on": getattr(a, "due_on", None)}  # fmt: skip


@router.get("/me/aid", response=list[MeAidOut], operation_id="me_aid")
@endpoint(OWN_CAPABILITY)
def me_aid(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> list[dict[str, Any]]:
    """The veteran's hardship aid applications, newest first, with the step each is at."""
    return [_aid_out(a) for a in selectors.applications_of(request.user, _about(request, veteran_id))]


@router.post("/me/aid", response={201: MeAidOut, 200: MeAidOut}, operation_id="me_aid_apply")
@endpoint(OWN_CAPABILITY)
def me_aid_apply(
    request: AuthedRequest,
    payload: MeAidIn,
    veteran_id: Int64 | None = FOR,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[dict[str, Any]]:
    """Apply for hardship aid: the town station checks it, the city approves it (the same ``Idempotency-Key``
    again answers 200 with the first)."""
    from aid.services import application_propose

    veteran = _about(request, veteran_id)
    made, new = idempotency.once(
        actor=request.user, key=idempotency.header_key(idempotency_key),
        request={**payload.dict(), "veteran": veteran.pk},
        create=lambda: application_propose(actor=request.user, veteran=veteran.pk, need=payload.need,
                                           circumstances=payload.circumstances, requested=payload.requested),
    )  # fmt: skip
    found = next(a for a in selectors.applications_of(request.user, veteran) if a.pk == made.pk)
    return Status(201 if new else 200, _aid_out(found))


class MeCorrectionIn(Schema):
    item: str
    right: str
    wrong: str = ""


class MeCorrectionOut(Schema):
    id: int
    case_id: int
    number: str
    veteran_id: int | None
    item: str
    item_label: str
    wrong: str
    right: str
    answer: str
    state: str
    state_label: str
    region_code: str


@router.get("/me/corrections", response=list[MeCorrectionOut], operation_id="me_corrections")
@endpoint(OWN_CAPABILITY)
def me_corrections(request: AuthedRequest, veteran_id: Int64 | None = FOR) -> list[dict[str, Any]]:
    """The veteran's requests to correct their record (资料更正), newest first."""
    from portal.corrections import correction_out

    return [correction_out(c) for c in selectors.corrections_of(request.user, _about(request, veteran_id))]


@router.post("/me/corrections", response={201: MeCorrectionOut, 200: MeCorrectionOut},
             operation_id="me_corrections_request")  # fmt: skip
@endpoint(OWN_CAPABILITY)
def me_corrections_request(
    request: AuthedRequest,
    payload: MeCorrectionIn,
    veteran_id: Int64 | None = FOR,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[dict[str, Any]]:
    """Ask the station to correct the record (the same ``Idempotency-Key`` again answers 200 with the first)."""
    from portal.corrections import CorrectionInput, correction_out, correction_request

    veteran = _about(request, veteran_id)
    made, new = idempotency.once(
        actor=request.user, key=idempotency.header_key(idempotency_key),
        request={**payload.dict(), "veteran": veteran.pk},
        create=lambda: correction_request(actor=request.user, veteran_id=veteran.pk,
                                          data=CorrectionInput(payload.item, payload.right, payload.wrong)),
    )  # fmt: skip
    return Status(201 if new else 200, correction_out(made))
