"""Writes of the satisfaction surveys (满意度抽查) and their follow-up actions (整改).

``round_draw``: the service department draws a month's sample (``sampling``): one round per
month, its seed kept; each customer drawn is a call counted for the rep who owned the customer
at the draw (抽查内容纳入销售顾问日常工作考核).

Answering: by phone (``call_answer``: the caller fills the round's form, or records that the
customer could not be reached or declined), or by the customer through a link
(``link_issue`` then ``link_answer``): a signed token (``django.core.signing``, HMAC with the
site's key) naming the call and a nonce kept on it; the link works until it expires and only
once: answering clears the nonce, issuing a new link replaces it. The answers are a response to
the form (``crm.questionnaires``: checked by ``answers.clean_answers``, stored as any form's, so
the form's analysis counts them); the score is the average of the rated questions.

A problem found (a score below the round's ``alert_below``, or one the caller writes down) opens
a ``CareAction`` (反馈并督促整改) for the customer's rep, due in ``CRM_CARE_ACTION_DAYS``; the
responsible person reports it done (``action_done``), the service department verifies and closes
it or sends it back (``action_close``). Every step is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import ANSWER_SURVEY, MANAGE_ACTION, RUN_SURVEY, WORK_ACTION
from crm.activities import services as activities
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import require, restrict
from crm.customers.models import Customer
from crm.governance import audit
from crm.questionnaires.answers import Value, clean_answers
from crm.questionnaires.models import Answer, FormVersion, Questionnaire, Response
from crm.questionnaires.services import published

from . import sampling
from .inputs import (
    SEED_MAX,
    ActionCloseInput,
    ActionDoneInput,
    ActionInput,
    DrawInput,
    Outcome,
    PhoneAnswerInput,
)
from .models import ActionState, CallState, CareAction, Channel, SurveyCall, SurveyRound
from .survey_template import default_form, score_of

LINK_SALT = "crm.care.survey-link"


def link_days() -> int:
    return int(getattr(settings, "CRM_SURVEY_LINK_DAYS", 14))


def action_days() -> int:
    return int(getattr(settings, "CRM_CARE_ACTION_DAYS", 7))


def parse_month(text: str) -> dt.date:
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


# --- the draw ---------------------------------------------------------------------------------


def _form(actor: User, form_id: int | None) -> tuple[Questionnaire, FormVersion]:
    form = (
        Questionnaire.objects.filter(pk=form_id).first()
        if form_id is not None
        else default_form(actor=actor)
    )
    if form is None:
        raise Invalid(fields={"form": _("请选择调查表")})
    version = published(form)
    if version is None:
        raise Invalid(fields={"form": _("该调查表尚未发布")})
    return form, version


@transaction.atomic
def round_draw(*, actor: User, data: Mapping[str, Any]) -> SurveyRound:
    """Draw the month's sample of its new retained customers (once per month)."""
    require(actor, RUN_SURVEY)
    cleaned = validate(DrawInput, data)
    month = parse_month(cleaned["month"])
    if month > timezone.localdate().replace(day=1):
        raise Invalid(fields={"month": _("不能抽查尚未到来的月份")})
    if SurveyRound.objects.filter(month=month).exists():
        raise StateConflict(_("%(month)s 已抽取过样本") % {"month": f"{month:%Y-%m}"})
    form, _version = _form(actor, cleaned.get("form"))
    ids = list(sampling.candidates(month).values_list("pk", flat=True))
    size, share = cleaned.get("size"), cleaned.get("share")
    if size is None and share is None:
        share = int(getattr(settings, "CRM_SURVEY_SHARE", 20))
    count = sampling.sample_size(len(ids), size=size, share=share)
    seed = cleaned.get("seed")
    if seed is None:
        seed = secrets.randbelow(SEED_MAX + 1)
    chosen = sampling.draw(ids, seed=seed, size=count)
    alert = cleaned.get("alert_below")
    try:
        with transaction.atomic():
            drawn = SurveyRound.objects.create(
                month=month,
                form=form,
                seed=seed,
                size_asked=size,
                share_asked=share if size is None else None,
                population=len(ids),
                sample_size=len(chosen),
                alert_below=Decimal(str(alert)).quantize(Decimal("0.1"))
                if alert is not None
                else Decimal("3.5"),
                drawn_by=actor,
            )
    except IntegrityError as exc:  # drawn meanwhile by a colleague
        raise StateConflict(_("%(month)s 已抽取过样本") % {"month": f"{month:%Y-%m}"}) from exc
    owners = {
        pk: (owner, department)
        for pk, owner, department in Customer.objects.filter(pk__in=chosen).values_list(
            "pk", "owner_id", "department_id"
        )
    }
    SurveyCall.objects.bulk_create(
        [
            SurveyCall(
                round=drawn,
                position=n,
                customer_id=pk,
                rep_id=owners[pk][0],
                department_id=owners[pk][1],
            )
            for n, pk in enumerate(chosen, 1)
        ],
        batch_size=2000,
    )
    audit.record(
        actor=actor,
        verb="survey.drawn",
        obj=drawn,
        details={
            "month": f"{month:%Y-%m}",
            "seed": seed,
            "population": len(ids),
            "size": len(chosen),
            "asked": {"size": size, "share": drawn.share_asked},
            "form": form.pk,
        },
    )
    return drawn


# --- answering --------------------------------------------------------------------------------


def _call(actor: User, call_id: int, action: str) -> SurveyCall:
    require(actor, action)
    call = (
        restrict(SurveyCall.objects.all(), actor, action)
        .select_for_update()
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise NotFound()
    return call


def _rows(response: Response, values: Mapping[int, Value]) -> list[Answer]:
    return [
        Answer(response=response, question_id=qid, position=p, text=t, number=n, rows=r)
        for qid, value in values.items()
        for p, t, n, r in value.rows
    ]


def _store(call: SurveyCall, answers: Mapping[str, Any], by: User | None) -> Decimal | None:
    """The answers as a response to the round's form (replacing an earlier one of the customer
    to the same version); returns the score."""
    version = published(call.round.form)
    if version is None:
        raise StateConflict(_("调查表已停用，无法回访"))
    questions = list(version.questions.all())
    values, errors = clean_answers(questions, {str(k): v for k, v in answers.items()})
    if errors:
        raise Invalid(fields=errors)
    response, created = Response.objects.get_or_create(
        customer_id=call.customer_id,
        version=version,
        defaults={"form": call.round.form, "filled_by": by},
    )
    if not created:
        response.answers.all().delete()
        response.filled_by = by
        response.save(update_fields=["filled_by", "updated_at"])
    Answer.objects.bulk_create(_rows(response, values))
    call.response = response
    texts = {qid: v.rows[0][1] for qid, v in values.items() if v.rows}
    return score_of(questions, texts)


def _problem_text(call: SurveyCall, written: str) -> str:
    low = call.score is not None and call.score < call.round.alert_below
    if not low:
        return written
    said = _("满意度 %(score)s 分，低于 %(alert)s 分") % {
        "score": call.score,
        "alert": call.round.alert_below,
    }
    return f"{said}：{written}"[:500] if written else said


def _open_for(call: SurveyCall, problem: str, by: User | None) -> CareAction | None:
    """整改 of what a call found, for the customer's rep (else whoever drew the sample)."""
    if not problem:
        return None
    responsible = call.rep if call.rep is not None and call.rep.is_active else call.round.drawn_by
    action = CareAction.objects.create(
        call=call,
        customer_id=call.customer_id,
        problem=problem,
        responsible=responsible,
        department_id=responsible.department_id,
        due_on=timezone.localdate() + dt.timedelta(days=action_days()),
        opened_by=by,
    )
    audit.record(actor=by, verb="care_action.opened", obj=action, after=action.snapshot())
    _tell(action, _("满意度回访发现问题，请整改 %(number)s：%(problem)s"), by)
    return action


def _answered(call: SurveyCall, channel: str, by: User | None, score: Decimal | None) -> None:
    call.state = CallState.ANSWERED
    call.channel = channel
    call.score = score
    call.answered_at = timezone.now()
    call.answered_by = by
    call.link_nonce = ""
    call.problem = score is not None and score < call.round.alert_below


@transaction.atomic
def call_answer(*, actor: User, call_id: int, data: Mapping[str, Any]) -> SurveyCall:
    """A call by phone: the answers the customer gave, or that they could not be reached or
    declined (they may be called again). A low score or a problem written down opens 整改."""
    call = _call(actor, call_id, ANSWER_SURVEY)
    cleaned = validate(PhoneAnswerInput, data)
    if call.state == CallState.ANSWERED:
        raise StateConflict(_("该客户已回访过"))
    outcome = cleaned.get("outcome", Outcome.ANSWERED)
    call.note = cleaned.get("note", "")
    written = cleaned.get("problem", "")
    if outcome == Outcome.ANSWERED:
        score = _store(call, cleaned.get("answers") or {}, actor)
        _answered(call, Channel.PHONE, actor, score)
        call.problem = call.problem or bool(written)
    else:
        call.state = outcome
        call.channel = Channel.PHONE
        call.answered_at = timezone.now()
        call.answered_by = actor
        call.problem = bool(written)
    call.save()
    audit.record(
        actor=actor,
        verb=f"survey.{outcome}",
        obj=call,
        details={
            "round": call.round_id,
            "customer": call.customer_id,
            "channel": Channel.PHONE,
            "score": str(call.score) if call.score is not None else None,
            "problem": call.problem,
        },
    )
    _open_for(call, _problem_text(call, written), actor)
    return call


@transaction.atomic
def link_issue(*, actor: User, call_id: int) -> str:
    """A new link for the customer to answer themselves (the former one stops working); returns
    the token of the public address."""
    call = _call(actor, call_id, ANSWER_SURVEY)
    if call.state == CallState.ANSWERED:
        raise StateConflict(_("该客户已回访过"))
    call.link_nonce = secrets.token_hex(16)
    call.link_expires_at = timezone.now() + dt.timedelta(days=link_days())
    call.save(update_fields=["link_nonce", "link_expires_at"])
    audit.record(
        actor=actor,
        verb="survey.link_issued",
        obj=call,
        details={"expires_at": call.link_expires_at.isoformat()},
    )
    return signing.dumps({"c": call.pk, "n": call.link_nonce}, salt=LINK_SALT)


class LinkGone(StateConflict):
    """A link that worked once: answered already, replaced, or expired (410 on the page)."""


def _by_token(token: str, *, lock: bool) -> SurveyCall:
    try:
        data = signing.loads(token[:500], salt=LINK_SALT, max_age=dt.timedelta(days=link_days()))
    except signing.SignatureExpired as exc:
        raise LinkGone(_("链接已过期，请联系我们的客服")) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise NotFound(_("链接无效")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise NotFound(_("链接无效"))
    qs = SurveyCall.objects.select_related("round__form", "customer")
    call = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=data["c"]).first()
    if call is None:
        raise NotFound(_("链接无效"))
    if call.state == CallState.ANSWERED:
        raise LinkGone(_("您已完成本次调查，感谢您的反馈"))
    if not call.link_nonce or not constant_time_compare(call.link_nonce, str(data.get("n"))):
        raise LinkGone(_("链接已失效，请使用最新收到的链接"))
    if call.link_expires_at is None or timezone.now() >= call.link_expires_at:
        raise LinkGone(_("链接已过期，请联系我们的客服"))
    return call


def link_open(*, token: str) -> SurveyCall:
    """The call a public link names, while it works (no sign-in: the signature is the key)."""
    return _by_token(token, lock=False)


@transaction.atomic
def link_answer(*, token: str, answers: Mapping[str, Any]) -> SurveyCall:
    """The customer's own answers through the link: once."""
    call = _by_token(token, lock=True)
    score = _store(call, answers, None)
    _answered(call, Channel.LINK, None, score)
    call.save()
    audit.record(
        actor=None,
        verb="survey.answered",
        obj=call,
        details={
            "round": call.round_id,
            "customer": call.customer_id,
            "channel": Channel.LINK,
            "score": str(score) if score is not None else None,
            "problem": call.problem,
        },
    )
    _open_for(call, _problem_text(call, ""), None)
    return call


# --- 整改 ---------------------------------------------------------------------------------------


def _tell(action: CareAction, title: str, by: User | None) -> None:
    """The responsible person hears of an action given or sent back to them (not of their own)."""
    if by is not None and by.pk == action.responsible_id:
        return
    activities.notify(
        user=action.responsible,
        kind="care_action",
        title=title % {"number": action.number, "problem": action.problem[:60]},
        body=action.problem,
        url=f"/care/actions/{action.pk}/",
        customer=action.customer,
    )


def _action(actor: User, action_id: int, action: str) -> CareAction:
    require(actor, action)
    found = (
        restrict(CareAction.objects.all(), actor, action)
        .select_for_update()
        .filter(pk=action_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def action_open(*, actor: User, call_id: int, data: Mapping[str, Any]) -> CareAction:
    """Open 整改 of a problem a call found: the responsible person (within the actor's scope)
    and the due date."""
    call = _call(actor, call_id, MANAGE_ACTION)
    cleaned = validate(ActionInput, data)
    responsible = (
        restrict(User.objects.filter(is_active=True), actor, MANAGE_ACTION)
        .filter(pk=cleaned["responsible"])
        .first()
    )
    if responsible is None:
        raise Invalid(fields={"responsible": _("责任人不存在或不在您的管理范围内")})
    if cleaned["due_on"] < timezone.localdate():
        raise Invalid(fields={"due_on": _("整改期限不能早于今天")})
    action = CareAction.objects.create(
        call=call,
        customer_id=call.customer_id,
        problem=cleaned["problem"],
        responsible=responsible,
        department_id=responsible.department_id,
        due_on=cleaned["due_on"],
        opened_by=actor,
    )
    call.problem = True
    call.save(update_fields=["problem"])
    audit.record(actor=actor, verb="care_action.opened", obj=action, after=action.snapshot())
    _tell(action, _("满意度回访发现问题，请整改 %(number)s：%(problem)s"), actor)
    return action


@transaction.atomic
def action_done(*, actor: User, action_id: int, data: Mapping[str, Any]) -> CareAction:
    """The responsible person reports what was done; the service department then verifies."""
    action = _action(actor, action_id, WORK_ACTION)
    cleaned = validate(ActionDoneInput, data)
    if action.state != ActionState.OPEN:
        raise StateConflict(_("该整改事项不在整改中"))
    before = action.snapshot()
    action.result = cleaned["result"]
    action.state = ActionState.DONE
    action.done_at = timezone.now()
    action.save(update_fields=["result", "state", "done_at", "updated_at"])
    audit.record(
        actor=actor, verb="care_action.done", obj=action, before=before, after=action.snapshot()
    )
    return action


@transaction.atomic
def action_close(*, actor: User, action_id: int, data: Mapping[str, Any]) -> CareAction:
    """Verify a reported action: closed, or back to the responsible person with the reason."""
    action = _action(actor, action_id, MANAGE_ACTION)
    cleaned = validate(ActionCloseInput, data)
    if action.state != ActionState.DONE:
        raise StateConflict(_("整改尚未完成，不能核实"))
    accept = cleaned.get("accept", True)
    note = cleaned.get("note", "")
    if not accept and not note:
        raise Invalid(fields={"note": _("退回时请写明原因")})
    before = action.snapshot()
    action.close_note = note
    if accept:
        action.state = ActionState.CLOSED
        action.closed_at = timezone.now()
        action.closed_by = actor
    else:
        action.state = ActionState.OPEN
        action.done_at = None
    action.save()
    audit.record(
        actor=actor,
        verb="care_action.closed" if accept else "care_action.returned",
        obj=action,
        before=before,
        after=action.snapshot(),
        reason=note,
    )
    if not accept:
        _tell(action, _("整改 %(number)s 被退回，请重新整改：%(problem)s"), actor)
    return action
