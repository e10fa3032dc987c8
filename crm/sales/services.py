"""Writes of sales (销售机会管理: 新建销售机会, 阶段跟进, 销售机会关闭) and of its settings.

An opportunity is entered for a customer the actor may read, owned by the actor or by someone in
their scope; edits, moves and closes carry the ``version`` they read (a stale one is a 409 and
nothing is written). A stage move and a follow-up are activity: the stale flag counts from the
last one. A follow-up is the customer's follow-up record (``crm.activities.followup_record``:
the timeline, the cadence, the next plan), linked to the opportunity.

Closing won makes an intention customer retained (``crm.customers.lifecycle``: its hooks settle
the referral reward, the credit split and schedule the callbacks) and then runs the ``on_won``
hooks (where an order is started from the opportunity). Closing lost takes a reason from the
company's list; the customer's defeat analysis stays the customer's own flow (the page offers
it when no other opportunity of the customer is open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import (
    CHANGE_CUSTOMER,
    CHANGE_OPPORTUNITY,
    EXPORT_REPORTS,
    MANAGE_PIPELINE,
    VIEW_CUSTOMER,
    VIEW_OPPORTUNITY,
)
from crm.activities import services as activities
from crm.core.errors import Conflict, Invalid, NotFound, StateConflict
from crm.core.inputs import partial, validate
from crm.core.permissions import allows, has_action, require, restrict
from crm.customers import lifecycle
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.governance import audit
from crm.reports.services import ExportFile

from . import exports, selectors, tally
from .choices import Status
from .inputs import (
    LoseInput,
    LostReasonsInput,
    MoveInput,
    OpportunityInput,
    PipelineInput,
    WinInput,
)
from .models import FollowUpLink, Line, LostReason, Opportunity, Pipeline, Stage
from .templates import TEMPLATES

OpportunityPatch = partial(
    OpportunityInput,
    name="OpportunityPatch",
    doc="Some fields of an opportunity; what is left out stays. The stage changes through a "
    "move, the status through closing won or lost.",
    exclude=("customer", "pipeline", "stage"),
)

# --- hooks: what other domains do when an opportunity is won ---------------------------------

Won = Callable[..., None]
_ON_WON: list[Won] = []


def on_won(fn: Won) -> Won:
    """Register ``fn(opportunity=, actor=)``, called inside the win's transaction after the
    customer became retained (crm.orders starts an order from the won opportunity here)."""
    if fn not in _ON_WON:
        _ON_WON.append(fn)
    return fn


# --- pipelines ----------------------------------------------------------------------------------


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.filter(active=True).order_by("-is_default", "id").first()


def _stages(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.filter(active=True).order_by("position", "id"))


def _save_stages(pipeline: Pipeline, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The pipeline's stages as ``rows`` say, in their order; what changed, in words."""
    existing = {s.pk: s for s in pipeline.stages.all()}
    kept: set[int] = set()
    names = [r["name"] for r in rows]
    if len(set(names)) != len(names):
        raise Invalid(fields={"stages": _("阶段名称不能重复")})
    for position, row in enumerate(rows, start=1):
        stage = existing.get(row.get("id") or 0)
        if row.get("id") and stage is None:
            raise Invalid(fields={f"stages.{position - 1}.id": _("该阶段不属于此流程")})
        if stage is None:
            stage = Stage(pipeline=pipeline)
        stage.name = row["name"]
        stage.probability = row["probability"]
        stage.stale_days = row.get("stale_days")
        stage.position = position * 10
        stage.active = True
        stage.save()
        kept.add(stage.pk)
    retired = [s for pk, s in existing.items() if pk not in kept and s.active]
    for stage in retired:
        if Opportunity.objects.filter(stage=stage, status=Status.OPEN).exists():
            raise StateConflict(
                _("阶段“%(name)s”还有进行中的销售机会，请先把它们移到其他阶段")
                % {"name": stage.name},
                fields={"stages": _("还有进行中的销售机会的阶段不能删除")},
            )
        stage.active = False
        stage.save(update_fields=["active", "updated_at"])
    return [s.name for s in retired]


def _default_is_active(cleaned: Mapping[str, Any]) -> None:
    if cleaned.get("is_default") and not cleaned.get("active", True):
        raise Invalid(fields={"active": _("默认流程不能停用，请先把其他流程设为默认")})


def _set_default(pipeline: Pipeline) -> None:
    Pipeline.objects.exclude(pk=pipeline.pk).filter(is_default=True).update(is_default=False)


@transaction.atomic
def pipeline_create(*, actor: User, data: Mapping[str, Any], template: str = "") -> Pipeline:
    """A new pipeline with its stages (the first pipeline is the default)."""
    require(actor, MANAGE_PIPELINE)
    cleaned = validate(PipelineInput, data)
    _default_is_active(cleaned)
    if Pipeline.objects.filter(name=cleaned["name"]).exists():
        raise Invalid(fields={"name": _("已有同名的销售流程")})
    first = not Pipeline.objects.exists()
    pipeline = Pipeline.objects.create(
        name=cleaned["name"],
        is_default=False,
        active=cleaned.get("active", True),
        template=template,
    )
    _save_stages(pipeline, cleaned["stages"])
    if cleaned.get("is_default") or first:
        _set_default(pipeline)
        pipeline.is_default = True
        pipeline.save(update_fields=["is_default"])
    audit.record(actor=actor, verb="pipeline.created", obj=pipeline, after=_pipeline_text(pipeline))
    return pipeline


def _pipeline_text(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "name": pipeline.name,
        "is_default": pipeline.is_default,
        "active": pipeline.active,
        "stages": [f"{s.name} {s.probability}% / {s.stale_days or '-'}" for s in _stages(pipeline)],
    }


@transaction.atomic
def pipeline_update(
    *, actor: User, pipeline_id: int, version: int, data: Mapping[str, Any]
) -> Pipeline:
    """Rename a pipeline, reorder, add, change or retire its stages (a stage still holding open
    opportunities cannot be retired: 409)."""
    require(actor, MANAGE_PIPELINE)
    cleaned = validate(PipelineInput, data)
    _default_is_active(cleaned)
    pipeline = Pipeline.objects.select_for_update().filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound()
    if pipeline.version != version:
        raise Conflict(extra={"current_version": pipeline.version})
    if Pipeline.objects.filter(name=cleaned["name"]).exclude(pk=pipeline.pk).exists():
        raise Invalid(fields={"name": _("已有同名的销售流程")})
    before = _pipeline_text(pipeline)
    pipeline.name = cleaned["name"]
    if pipeline.is_default and not cleaned.get("active", True):
        raise StateConflict(fields={"active": _("默认流程不能停用，请先把其他流程设为默认")})
    pipeline.active = cleaned.get("active", True)
    _save_stages(pipeline, cleaned["stages"])
    if cleaned.get("is_default") and not pipeline.is_default:
        _set_default(pipeline)
        pipeline.is_default = True
    pipeline.version += 1
    pipeline.save()
    audit.record(
        actor=actor,
        verb="pipeline.changed",
        obj=pipeline,
        before=before,
        after=_pipeline_text(pipeline),
    )
    return pipeline


@transaction.atomic
def pipeline_install(*, actor: User, industry: str) -> Pipeline:
    """The industry's template pipeline (``crm.sales.templates``), once: installed again, the
    one already there is returned as it is."""
    require(actor, MANAGE_PIPELINE)
    spec = TEMPLATES.get(industry)
    if spec is None:
        raise Invalid(fields={"industry": _("没有这个行业的模板")})
    found = Pipeline.objects.filter(template=industry).first()
    if found is not None:
        return found
    name = _(spec["label"])
    if Pipeline.objects.filter(name=name).exists():
        name = f"{name} ({industry})"
    return pipeline_create(
        actor=actor,
        template=industry,
        data={
            "name": name,
            "stages": [
                {"name": n, "probability": p, "stale_days": d} for n, p, d in spec["stages"]
            ],
        },
    )


@transaction.atomic
def lost_reasons_update(*, actor: User, data: Mapping[str, Any]) -> list[LostReason]:
    """The lost reasons in order; one left out is retired (closed opportunities keep it)."""
    require(actor, MANAGE_PIPELINE)
    cleaned = validate(LostReasonsInput, data)
    names = [r["name"] for r in cleaned["reasons"]]
    if len(set(names)) != len(names):
        raise Invalid(fields={"reasons": _("输单原因不能重复")})
    existing = {r.pk: r for r in LostReason.objects.all()}
    before = [r.name for r in existing.values() if r.active]
    original = {pk: r.name for pk, r in existing.items()}
    # names move between rows: park them first, so that the unique names never collide
    for reason in existing.values():
        reason.name = f"~{reason.pk}"
        reason.save(update_fields=["name"])
    kept: set[int] = set()
    for position, row in enumerate(cleaned["reasons"], start=1):
        found = existing.get(row.get("id") or 0)
        if row.get("id") and found is None:
            raise Invalid(fields={f"reasons.{position - 1}.id": _("该输单原因不存在")})
        reason = found or LostReason()
        reason.name, reason.position = row["name"], position
        reason.active = row.get("active", True)
        reason.save()
        kept.add(reason.pk)
    for pk, reason in existing.items():
        if pk not in kept:  # retired: closed opportunities keep naming it
            name = original[pk]
            reason.name = name if name not in names else f"{name} ({pk})"
            reason.active = False
            reason.position = 999
            reason.save(update_fields=["name", "active", "position"])
    after = list(LostReason.objects.filter(active=True).values_list("name", flat=True))
    audit.record(
        actor=actor,
        verb="lost_reasons.changed",
        object_type="sales.lostreason",
        before={"reasons": before},
        after={"reasons": after},
    )
    return list(LostReason.objects.all())


# --- opportunities --------------------------------------------------------------------------


def _customer(actor: User, customer_id: int) -> Customer:
    customer = (
        restrict(Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_CUSTOMER)
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise Invalid(fields={"customer": _("客户不存在或不在您的查看范围内")})
    return customer


def _owner(actor: User, owner_id: int | None) -> User:
    if owner_id is None or owner_id == actor.pk:
        return actor
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not has_action(owner, CHANGE_OPPORTUNITY):
        raise Invalid(fields={"owner": _("该用户不能负责销售机会")})
    return owner


def _place(pipeline_id: int | None, stage_id: int | None) -> tuple[Pipeline, Stage]:
    """The pipeline and stage asked for (the default pipeline's first stage when left out)."""
    if stage_id is not None:
        stage = Stage.objects.select_related("pipeline").filter(pk=stage_id, active=True).first()
        if stage is None or (pipeline_id is not None and stage.pipeline_id != pipeline_id):
            raise Invalid(fields={"stage": _("该阶段不存在或不属于所选流程")})
        if not stage.pipeline.active:
            raise Invalid(fields={"pipeline": _("该销售流程已停用")})
        return stage.pipeline, stage
    pipeline = (
        default_pipeline()
        if pipeline_id is None
        else Pipeline.objects.filter(pk=pipeline_id, active=True).first()
    )
    if pipeline is None:
        raise Invalid(fields={"pipeline": _("没有可用的销售流程，请先设置销售流程")})
    stages = _stages(pipeline)
    if not stages:
        raise Invalid(fields={"pipeline": _("该销售流程还没有阶段")})
    return pipeline, stages[0]


def _lines_total(lines: Sequence[Mapping[str, Any]]) -> Decimal:
    total = sum(
        ((row["quantity"] * row["unit_price"]).quantize(Decimal("0.01")) for row in lines),
        Decimal("0"),
    )
    if total >= Decimal(10**12):
        raise Invalid(fields={"lines": _("明细合计金额超出范围")})
    return total


def _write_lines(opportunity: Opportunity, lines: Sequence[Mapping[str, Any]]) -> None:
    opportunity.lines.all().delete()
    Line.objects.bulk_create(
        Line(
            opportunity=opportunity,
            position=n,
            product_name=row["product_name"],
            quantity=row["quantity"],
            unit_price=row["unit_price"],
        )
        for n, row in enumerate(lines, start=1)
    )


def _check_scope(actor: User, opportunity: Opportunity) -> None:
    """After a write, inside its transaction: the actor still answers for the opportunity (one
    may not hand it out of one's own scope)."""
    if not allows(actor, CHANGE_OPPORTUNITY, opportunity):
        raise Invalid(fields={"owner": _("不能把销售机会交给您管辖范围以外的人")})


@transaction.atomic
def opportunity_create(*, actor: User, data: Mapping[str, Any]) -> Opportunity:
    """新建销售机会 for a customer the actor may read."""
    require(actor, CHANGE_OPPORTUNITY)
    cleaned = validate(OpportunityInput, data)
    customer = _customer(actor, cleaned["customer"])
    owner = _owner(actor, cleaned.get("owner"))
    pipeline, stage = _place(cleaned.get("pipeline"), cleaned.get("stage"))
    lines = cleaned.get("lines") or []
    amount = _lines_total(lines) if lines else cleaned.get("amount") or Decimal("0")
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        name=cleaned["name"],
        customer=customer,
        pipeline=pipeline,
        stage=stage,
        amount=amount,
        currency=cleaned.get("currency") or "CNY",
        expected_close_on=cleaned.get("expected_close_on"),
        owner=owner,
        department_id=owner.department_id,
        notes=cleaned.get("notes", ""),
        stage_entered_at=now,
        last_activity_at=now,
        furthest_position=stage.position,
        created_by=actor,
    )
    _write_lines(opportunity, lines)
    _check_scope(actor, opportunity)
    tally.change(None, tally.of(opportunity))
    audit.record(
        actor=actor, verb="opportunity.created", obj=opportunity, after=opportunity.snapshot()
    )
    return opportunity


def _locked(actor: User, opportunity_id: int, version: int | None) -> Opportunity:
    opportunity = (
        restrict(Opportunity.objects.all(), actor, CHANGE_OPPORTUNITY)
        .select_for_update()
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        require(actor, CHANGE_OPPORTUNITY)
        raise NotFound()
    if version is not None and opportunity.version != version:
        raise Conflict(extra={"current_version": opportunity.version})
    return opportunity


def _open(opportunity: Opportunity) -> None:
    if opportunity.status != Status.OPEN:
        raise StateConflict(
            _("该销售机会已关闭（%(status)s）") % {"status": opportunity.get_status_display()}
        )


@transaction.atomic
def opportunity_update(
    *, actor: User, opportunity_id: int, version: int, data: Mapping[str, Any]
) -> Opportunity:
    """Change the given fields (name, amount, currency, lines, expected close date, owner,
    notes) of an open opportunity."""
    cleaned = validate(OpportunityPatch, data)
    opportunity = _locked(actor, opportunity_id, version)
    _open(opportunity)
    before = opportunity.snapshot()
    counted = tally.of(opportunity)
    for field in ("name", "currency", "expected_close_on", "notes"):
        if field in cleaned and (cleaned[field] is not None or field == "expected_close_on"):
            setattr(opportunity, field, cleaned[field])
    if cleaned.get("owner") is not None and cleaned["owner"] != opportunity.owner_id:
        owner = _owner(actor, cleaned["owner"])
        opportunity.owner, opportunity.department_id = owner, owner.department_id
    if cleaned.get("lines") is not None:
        _write_lines(opportunity, cleaned["lines"])
    if opportunity.lines.exists():
        opportunity.amount = sum((line.amount for line in opportunity.lines.all()), Decimal(0))
    elif cleaned.get("amount") is not None:
        opportunity.amount = cleaned["amount"]
    opportunity.version += 1
    opportunity.save()
    _check_scope(actor, opportunity)
    tally.change(counted, tally.of(opportunity))
    after = opportunity.snapshot()
    audit.record(
        actor=actor, verb="opportunity.changed", obj=opportunity, before=before, after=after
    )
    return opportunity


@transaction.atomic
def opportunity_move(*, actor: User, opportunity_id: int, data: Mapping[str, Any]) -> Opportunity:
    """阶段推进: move an open opportunity to another stage of its pipeline (a card dragged on
    the board), with the version read."""
    cleaned = validate(MoveInput, data)
    opportunity = _locked(actor, opportunity_id, cleaned["version"])
    _open(opportunity)
    stage = Stage.objects.filter(
        pk=cleaned["stage"], pipeline_id=opportunity.pipeline_id, active=True
    ).first()
    if stage is None:
        raise Invalid(fields={"stage": _("该阶段不存在或不属于此销售机会的流程")})
    if stage.pk == opportunity.stage_id:
        return opportunity
    former = opportunity.stage
    counted = tally.of(opportunity)
    now = timezone.now()
    opportunity.stage = stage
    opportunity.stage_entered_at = opportunity.last_activity_at = now
    opportunity.furthest_position = max(opportunity.furthest_position, stage.position)
    opportunity.version += 1
    opportunity.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "last_activity_at",
            "furthest_position",
            "version",
            "updated_at",
        ]
    )
    tally.change(counted, tally.of(opportunity))
    audit.record(
        actor=actor,
        verb="opportunity.stage_changed",
        obj=opportunity,
        before={"stage": former.name, "probability": former.probability},
        after={"stage": stage.name, "probability": stage.probability},
    )
    return opportunity


@transaction.atomic
def opportunity_follow_up(
    *, actor: User, opportunity_id: int, data: Mapping[str, Any]
) -> FollowUpLink:
    """阶段跟进: a follow-up record of the customer about this opportunity (what was said, the
    next step and, with ``next_at``, the next plan), through crm.activities; it is activity on
    the opportunity."""
    opportunity = _locked(actor, opportunity_id, None)
    _open(opportunity)
    followup = activities.followup_record(
        actor=actor, customer_id=opportunity.customer_id, data=data
    )
    link = FollowUpLink.objects.create(opportunity=opportunity, followup=followup)
    opportunity.last_activity_at = max(opportunity.last_activity_at, followup.occurred_at)
    opportunity.save(update_fields=["last_activity_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="opportunity.followed_up",
        obj=opportunity,
        after={
            "followup.kind": followup.kind,
            "followup.content": followup.content,
            "followup.next_step": followup.next_step,
        },
    )
    return link


def _close(opportunity: Opportunity, status: str, now: dt.datetime) -> None:
    opportunity.status = status
    opportunity.closed_at = now
    opportunity.version += 1


@transaction.atomic
def opportunity_win(*, actor: User, opportunity_id: int, data: Mapping[str, Any]) -> Opportunity:
    """赢单: the opportunity closes won on ``won_on`` (today when left out); an intention
    customer becomes retained with that deal date (crm.customers.lifecycle: the referral reward,
    the credit split and the callbacks follow), a retained one stays retained (a repeat
    purchase). A potential, base or defeated customer must be made an intention customer first
    (409). Then the ``on_won`` hooks run (an order is started from it)."""
    cleaned = validate(WinInput, data)
    opportunity = _locked(actor, opportunity_id, cleaned["version"])
    _open(opportunity)
    won_on = cleaned.get("won_on") or timezone.localdate()
    if won_on > timezone.localdate():
        raise Invalid(fields={"won_on": _("成交日期不能晚于今天")})
    customer = Customer.objects.select_for_update().get(pk=opportunity.customer_id)
    if customer.category == Category.INTENTION and not allows(actor, CHANGE_CUSTOMER, customer):
        raise StateConflict(
            _("赢单会把客户转为保有客户，您无权修改该客户，请由客户负责人或经理操作")
        )
    if customer.category not in (Category.INTENTION, Category.RETAINED):
        raise StateConflict(
            _("客户“%(name)s”目前是%(category)s，请先把客户转为意向客户再赢单")
            % {"name": customer.name, "category": customer.get_category_display()},
            fields={"customer": _("只有意向客户或保有客户可以成交")},
        )
    if customer.category == Category.INTENTION:
        lifecycle.customer_transition(
            actor=actor,
            customer_id=customer.pk,
            version=customer.version,
            to=Category.RETAINED,
            deal_on=won_on,
            reason=_("销售机会赢单：%(name)s") % {"name": opportunity.name},
        )
    before = {"status": opportunity.status, "stage": opportunity.stage.name}
    counted = tally.of(opportunity)
    _close(opportunity, Status.WON, timezone.now())
    opportunity.won_on = won_on
    opportunity.close_note = cleaned.get("note", "")
    opportunity.furthest_position = max(
        opportunity.furthest_position,
        Stage.objects.filter(pipeline_id=opportunity.pipeline_id).aggregate(m=Max("position"))["m"]
        or 0,
    )
    opportunity.save()
    tally.change(counted, tally.of(opportunity))
    for fn in _ON_WON:
        fn(opportunity=opportunity, actor=actor)
    audit.record(
        actor=actor,
        verb="opportunity.won",
        obj=opportunity,
        before=before,
        after={
            "status": opportunity.status,
            "won_on": won_on.isoformat(),
            "amount": str(opportunity.amount),
            "currency": opportunity.currency,
            "note": opportunity.close_note,
        },
    )
    return opportunity


@transaction.atomic
def opportunity_lose(*, actor: User, opportunity_id: int, data: Mapping[str, Any]) -> Opportunity:
    """输单: the opportunity closes lost with a reason from the list and notes. The customer is
    not changed here: its defeat analysis (战败分析) is the customer's own transition, which the
    page then offers."""
    cleaned = validate(LoseInput, data)
    opportunity = _locked(actor, opportunity_id, cleaned["version"])
    _open(opportunity)
    reason = LostReason.objects.filter(pk=cleaned["reason"], active=True).first()
    if reason is None:
        raise Invalid(fields={"reason": _("请从列表中选择输单原因")})
    before = {"status": opportunity.status, "stage": opportunity.stage.name}
    counted = tally.of(opportunity)
    _close(opportunity, Status.LOST, timezone.now())
    opportunity.lost_reason = reason
    opportunity.close_note = cleaned.get("note", "")
    opportunity.save()
    tally.change(counted, tally.of(opportunity))
    audit.record(
        actor=actor,
        verb="opportunity.lost",
        obj=opportunity,
        before=before,
        after={
            "status": opportunity.status,
            "reason": reason.name,
            "note": opportunity.close_note,
        },
    )
    return opportunity


@transaction.atomic
def opportunity_reopen(*, actor: User, opportunity_id: int, version: int) -> Opportunity:
    """A lost opportunity back on the board, in the stage it was lost in (a won one stays won:
    the customer's deal is not undone here)."""
    opportunity = _locked(actor, opportunity_id, version)
    if opportunity.status != Status.LOST:
        raise StateConflict(_("只有输单的销售机会可以重新打开"))
    now = timezone.now()
    reason = opportunity.lost_reason.name if opportunity.lost_reason else ""
    counted = tally.of(opportunity)
    opportunity.status = Status.OPEN
    opportunity.closed_at = None
    opportunity.lost_reason = None
    opportunity.last_activity_at = now
    opportunity.version += 1
    opportunity.save()
    tally.change(counted, tally.of(opportunity))
    audit.record(
        actor=actor,
        verb="opportunity.reopened",
        obj=opportunity,
        before={"status": Status.LOST, "reason": reason},
        after={"status": Status.OPEN},
    )
    return opportunity


def opportunity_get(*, actor: User, opportunity_id: int) -> Opportunity:
    """One opportunity the actor may see, with what its page shows."""
    opportunity = (
        restrict(Opportunity.objects.all(), actor, VIEW_OPPORTUNITY)
        .select_related("customer", "pipeline", "stage", "owner", "department", "lost_reason")
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        require(actor, VIEW_OPPORTUNITY)
        raise NotFound()
    return opportunity


# --- report exports -----------------------------------------------------------------------------

REPORTS = ("forecast", "funnel", "reasons")


@transaction.atomic
def report_export(
    *,
    actor: User,
    report: str,
    currency: str,
    pipeline_id: int | None = None,
    owner: int | None = None,
    start: dt.date | None = None,
    months: int = 6,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> ExportFile:
    """A sales report (forecast, funnel, won/lost reasons) as an .xlsx file of the rows the
    actor may see, logged as exported (``report.exported``)."""
    require(actor, EXPORT_REPORTS)
    require(actor, VIEW_OPPORTUNITY)
    now = timezone.now()
    today = timezone.localdate()
    since = since or today.replace(month=1, day=1)
    until = until or today
    filters = [(_("币种"), currency)]
    pipeline = selectors.pipeline_get(pipeline_id)
    if pipeline is not None:
        filters.insert(0, (_("销售流程"), pipeline.name))
    who = actor.display_name
    if report == "forecast":
        first = selectors.month_start(start or today)
        data = selectors.forecast(
            actor=actor,
            start=first,
            months=months,
            currency=currency,
            pipeline=pipeline_id,
            owner=owner,
        )
        period = f"{first:%Y-%m}+{months}"
        content = exports.forecast_workbook(
            data, filters=[*filters, (_("起始月份"), f"{first:%Y-%m}")], exported_by=who, at=now
        )
        title, rows = _("销售预测"), len(data.reps)
    elif report in ("funnel", "reasons"):
        if since > until:
            raise Invalid(fields={"since": _("开始日期不能晚于结束日期")})
        period = f"{since.isoformat()}~{until.isoformat()}"
        filters.append((_("期间"), period))
        if report == "funnel":
            if pipeline is None:
                raise Invalid(fields={"pipeline": _("没有可用的销售流程")})
            funnel = selectors.funnel(
                actor=actor,
                pipeline=pipeline,
                since=since,
                until=until,
                currency=currency,
                owner=owner,
            )
            content = exports.funnel_workbook(funnel, filters=filters, exported_by=who, at=now)
            title, rows = _("销售漏斗"), len(funnel.steps)
        else:
            reasons = selectors.reasons(
                actor=actor,
                since=since,
                until=until,
                currency=currency,
                pipeline=pipeline_id,
                owner=owner,
            )
            content = exports.reasons_workbook(reasons, filters=filters, exported_by=who, at=now)
            title, rows = _("赢单与输单原因"), len(reasons.rows) + 1
    else:
        raise Invalid(fields={"report": _("不是有效的选项")})
    audit.record(
        actor=actor,
        verb="report.exported",
        obj=actor,
        after={"report": f"sales.{report}", "period": period, "rows": rows},
        reason=f"{title} {period}",
    )
    return ExportFile(filename=f"{title}_{period}.xlsx", content=content)
