"""Customer lifecycle: categories, grades and the next follow-up due date (客户分类与意向分级).

Transitions (客户管理制度): potential → intention (needs a grade); base → intention; intention →
retained (needs a deal date) or defeated (needs a defeat analysis); defeated → intention
(reactivation, with a reason); intention → intention with another grade (regrading). Every
transition is a ``LifecycleEvent`` and an audit event with its reason.

The due date: an intention customer is due ``cadence_days`` of its grade after the later of the
last follow-up and its grading; an earlier open plan brings it forward; other customers are due
only when a plan says so. ``refresh_due`` keeps one customer current; ``recompute_due_sql``
recomputes many in one statement after the grade table changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import APPROVE_DEFEAT, CHANGE_CUSTOMER, CHANGE_GRADEPOLICY, COMMENT_DEFEAT
from crm.core.bulk import insert_objects
from crm.core.errors import Conflict, Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import allows, require, restrict
from crm.governance import approvals, audit
from crm.governance.models import ApprovalRequest

from . import cadence, competitors, hooks
from .choices import Category, Grade
from .inputs import (
    DefeatCommentInput,
    DefeatInput,
    GradePolicyInput,
    LifecycleSettingsInput,
    TransitionInput,
    transition_rules,
)
from .models import (
    Customer,
    DefeatAnalysis,
    DefeatReason,
    GradePolicy,
    LifecycleEvent,
    LifecycleSettings,
)

# (from, to) pairs the regulations allow; intention → intention is a regrade.
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Category.POTENTIAL, Category.INTENTION),
        (Category.BASE, Category.INTENTION),
        (Category.INTENTION, Category.INTENTION),
        (Category.INTENTION, Category.RETAINED),
        (Category.INTENTION, Category.DEFEATED),
        (Category.DEFEATED, Category.INTENTION),
    }
)


# --- settings -------------------------------------------------------------------------------


def cadence_table() -> dict[str, int]:
    return dict(GradePolicy.objects.values_list("grade", "cadence_days"))


def grade_rules() -> list[cadence.GradeRule]:
    return [
        cadence.GradeRule(p.grade, p.cadence_days, p.deal_within_days)
        for p in GradePolicy.objects.all()
    ]


def grade_policies() -> list[GradePolicy]:
    """The company's grade table, O to C."""
    return list(GradePolicy.objects.all())


def defeat_reasons() -> list[DefeatReason]:
    """The defeat reasons a rep may choose (战败原因)."""
    return list(DefeatReason.objects.filter(active=True))


def lifecycle_settings() -> LifecycleSettings:
    obj, _created = LifecycleSettings.objects.get_or_create(pk=1)
    return obj


def local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


# --- the due date ---------------------------------------------------------------------------


def compute_due(customer: Customer, table: Mapping[str, int] | None = None) -> dt.date | None:
    return cadence.next_due(
        category=customer.category,
        grade=customer.grade,
        last_contact=local_date(customer.last_contact_at),
        graded_on=local_date(customer.graded_at),
        next_plan_on=customer.next_plan_on,
        cadence=table if table is not None else _cadence_if_graded(customer),
    )


def _cadence_if_graded(customer: Customer) -> Mapping[str, int]:
    """The grade table, read only when the customer has a grade to follow (saves a query on
    every other customer's create and plan change)."""
    return cadence_table() if customer.category == Category.INTENTION else {}


def refresh_due(customer: Customer, table: Mapping[str, int] | None = None) -> None:
    """Recompute and store one customer's next due date (no audit: derived state)."""
    due = compute_due(customer, table)
    if due != customer.next_due_on:
        customer.next_due_on = due
        Customer.objects.filter(pk=customer.pk).update(next_due_on=due)


def note_contact(customer: Customer, at: dt.datetime, next_plan_on: dt.date | None) -> None:
    """A follow-up happened at ``at``; plans changed: update the derived follow-up state."""
    if customer.last_contact_at is None or at > customer.last_contact_at:
        customer.last_contact_at = at
    customer.next_plan_on = next_plan_on
    customer.next_due_on = compute_due(customer)
    Customer.objects.filter(pk=customer.pk).update(
        last_contact_at=customer.last_contact_at,
        next_plan_on=next_plan_on,
        next_due_on=customer.next_due_on,
    )


def note_plans(customer: Customer, next_plan_on: dt.date | None) -> None:
    """The customer's earliest open plan date changed."""
    customer.next_plan_on = next_plan_on
    customer.next_due_on = compute_due(customer)
    Customer.objects.filter(pk=customer.pk).update(
        next_plan_on=next_plan_on, next_due_on=customer.next_due_on
    )


def _tz_minutes() -> int:
    offset = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def recompute_due_sql(
    *, grades: Iterable[str] | None = None, connection: BaseDatabaseWrapper | None = None
) -> int:
    """Recompute every live intention customer's due date (of ``grades``) in one statement."""
    conn = connection or default_connection
    wanted = list(grades) if grades is not None else list(Grade.values)
    marks = ", ".join(["%s"] * len(wanted))
    if conn.vendor == "postgresql":
        sql = f"""
            UPDATE customers_customer c SET next_due_on = LEAST(
                (GREATEST(c.last_contact_at, c.graded_at) AT TIME ZONE %s)::date + p.cadence_days,
                c.next_plan_on)
            FROM customers_gradepolicy p
            WHERE p.grade = c.grade AND c.category = 'intention' AND c.deleted_at IS NULL
              AND c.grade IN ({marks})"""
        params: list[Any] = [settings.TIME_ZONE, *wanted]
    else:
        base = (
            "CASE WHEN last_contact_at IS NULL THEN graded_at WHEN graded_at IS NULL "
            "THEN last_contact_at WHEN last_contact_at > graded_at THEN last_contact_at "
            "ELSE graded_at END"
        )
        cad = (
            f"date({base}, %s, '+' || (SELECT p.cadence_days FROM customers_gradepolicy p "
            "WHERE p.grade = customers_customer.grade) || ' days')"
        )
        sql = f"""
            UPDATE customers_customer SET next_due_on = CASE
                WHEN next_plan_on IS NOT NULL AND ({cad} IS NULL OR next_plan_on < {cad})
                THEN next_plan_on ELSE {cad} END
            WHERE category = 'intention' AND deleted_at IS NULL AND grade IN ({marks})"""
        shift = f"{_tz_minutes():+d} minutes"
        params = [shift, shift, shift, *wanted]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.rowcount)


# --- transitions ----------------------------------------------------------------------------


def _locked(actor: User, customer_id: int) -> Customer:
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, CHANGE_CUSTOMER)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        require(actor, CHANGE_CUSTOMER)
        raise NotFound()
    return customer


def entry_errors(*, category: str, grade: str, values: Any) -> dict[str, str]:
    """What entering ``category`` (at ``grade``) needs besides the grade, as field messages;
    ``values(field)`` reads the record as it would be. Shared by creating a customer straight
    into a category and by a transition."""
    errors: dict[str, str] = {}
    deal_on = values("deal_on", None)
    if category == Category.RETAINED and deal_on is None:
        errors["deal_on"] = _("成交客户必须填写成交日期")
    elif category != Category.RETAINED and deal_on is not None:
        errors["deal_on"] = _("只有保有客户才有成交日期")
    elif deal_on is not None and deal_on > timezone.localdate():
        errors["deal_on"] = _("成交日期不能晚于今天")
    amount, paid_on = values("deposit_amount", None), values("deposit_on", None)
    if category == Category.INTENTION and grade == Grade.O:
        if amount is None:
            errors["deposit_amount"] = _("O 级客户须登记定金金额")
        if paid_on is None:
            errors["deposit_on"] = _("O 级客户须登记收定金日期")
        elif paid_on > timezone.localdate():
            errors["deposit_on"] = _("收定金日期不能晚于今天")
    return errors


def entry_defeat(*, category: str, defeat: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The defeat analysis a customer entered as defeated must bring (none for the others)."""
    if category == Category.DEFEATED:
        return _clean_defeat(defeat)
    if defeat:
        raise Invalid(fields={"defeat": _("只有战败客户才有战败分析")})
    return None


def _entry_event(actor: User, customer: Customer) -> LifecycleEvent:
    """The event of a customer entered straight into a category (from none)."""
    return LifecycleEvent(
        customer=customer,
        actor=actor,
        owner_id=customer.owner_id,
        department_id=customer.department_id,
        at=customer.created_at,
        from_category="",
        to_category=customer.category,
        to_grade=customer.grade,
        reason=_("新建客户"),
    )


def record_entry(
    *, actor: User, customer: Customer, defeat: Mapping[str, Any] | None = None
) -> LifecycleEvent | None:
    """A new customer entered straight into intention, retained or defeated: the lifecycle event
    the reports count (from no category), its defeat analysis, and what entering does (a deal
    schedules the callbacks still ahead)."""
    if customer.category in (Category.POTENTIAL, Category.BASE):
        return None
    hooks.entering_category(customer=customer, to=customer.category, actor=actor)
    event = _entry_event(actor, customer)
    event.save()
    if customer.category == Category.DEFEATED and defeat is not None:
        DefeatAnalysis.objects.create(
            customer=customer, event=event, **competitors.canonical(defeat)
        )
    hooks.category_entered(customer=customer, event=event, actor=actor)
    return event


def record_entries(*, actor: User, customers: Iterable[Customer]) -> list[LifecycleEvent]:
    """``record_entry`` for many new customers (an import's batch), none of them defeated (a
    defeat needs its analysis, entered one by one): the guards per customer, the events in one
    INSERT, and each hook once for all (``hooks.category_entered_many``)."""
    entering = [c for c in customers if c.category not in (Category.POTENTIAL, Category.BASE)]
    if any(c.category == Category.DEFEATED for c in entering):
        raise ValueError("a defeated customer is entered with its analysis: record_entry")
    for customer in entering:
        hooks.entering_category(customer=customer, to=customer.category, actor=actor)
    # one INSERT … RETURNING per batch (insert_objects: bulk_create's rule, not its per-value
    # field preparation)
    events = [_entry_event(actor, c) for c in entering]
    insert_objects(LifecycleEvent, events)
    hooks.category_entered_many(entries=list(zip(entering, events, strict=True)), actor=actor)
    return events


def note_plans_many(customers: Iterable[Customer], firsts: Mapping[int, dt.date | None]) -> None:
    """``note_plans`` for many customers (``firsts``: customer id → earliest open plan date):
    only the customers whose derived dates change are written, grouped by their new values."""
    table = cadence_table()
    groups: dict[tuple[dt.date | None, dt.date | None], list[int]] = {}
    for customer in customers:
        before = (customer.next_plan_on, customer.next_due_on)
        customer.next_plan_on = firsts.get(customer.pk)
        customer.next_due_on = compute_due(customer, table)
        after = (customer.next_plan_on, customer.next_due_on)
        if after != before:
            groups.setdefault(after, []).append(customer.pk)
    for (next_plan_on, due), ids in groups.items():
        Customer.objects.filter(pk__in=ids).update(next_plan_on=next_plan_on, next_due_on=due)


def _clean_defeat(defeat: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defeat analysis through its declared input; the reason must be one in use."""
    try:
        data = validate(DefeatInput, defeat or {})
    except Invalid as exc:
        fields = {f"defeat.{k}": v for k, v in exc.fields.items()}
        raise Invalid(_("战败客户必须填写战败分析"), fields=fields) from exc
    reason = DefeatReason.objects.filter(pk=data["reason"], active=True).first()
    if reason is None:
        raise Invalid(_("战败客户必须填写战败分析"), fields={"defeat.reason": _("不是有效的选项")})
    # the manager's comment comes later, from a manager (defeat_comment)
    return {**data, "reason": reason}


def clean_transition(request: Mapping[str, Any]) -> dict[str, Any]:
    """A transition request through its declared input, with what the target requires."""
    try:
        cleaned = validate(TransitionInput, request)
    except Invalid as exc:
        fields = dict(exc.fields)
        rules = {k: v for k, v in transition_rules(request).items() if k not in fields}
        defeat = any(k.startswith("defeat") for k in fields)
        message = _("战败客户必须填写战败分析") if defeat else None
        raise Invalid(message, fields={**fields, **rules}) from exc
    errors = transition_rules(cleaned)
    if errors:
        message = _("战败客户必须填写战败分析") if "defeat.reason" in errors else None
        raise Invalid(message, fields=errors)
    return cleaned


def _check_transition(
    customer: Customer, to: str, grade: str, reason: str, facts: Mapping[str, Any]
) -> None:
    """What the target needs was checked by the declared input; here: what the customer's state
    and the clock allow (a state the request cannot know of is a conflict, 409)."""
    if (customer.category, to) not in TRANSITIONS:
        raise StateConflict(
            _("不能从“%(src)s”变为“%(dst)s”")
            % {"src": Category(customer.category).label, "dst": Category(to).label},
            fields={"to": _("不允许的类别变更")},
        )
    if to == Category.INTENTION and customer.category == to and grade == customer.grade:
        raise StateConflict(fields={"grade": _("级别没有变化")})
    if customer.category == Category.DEFEATED and not reason:
        raise StateConflict(fields={"reason": _("重新激活战败客户须说明原因")})
    errors = entry_errors(category=to, grade=grade, values=lambda f, d=None: facts.get(f, d))
    if errors:
        raise Invalid(fields=errors)
    deal_on = facts.get("deal_on")
    if deal_on is not None:
        registered = timezone.localdate(customer.created_at)
        if deal_on < registered:  # the stored record refuses it, not the request: 409
            raise StateConflict(
                fields={
                    "deal_on": _("成交日期不能早于客户登记日期（%(day)s）")
                    % {"day": registered.isoformat()}
                }
            )


DEFEAT_REQUEST = "customers.defeat"


def defeat_needs_approval(actor: User, customer: Customer) -> bool:
    """战败申请: a defeat by someone who may not approve it themselves waits for the manager
    (when the company runs it so, as dealers do: on by default)."""
    return lifecycle_settings().defeat_needs_approval and not allows(
        actor, APPROVE_DEFEAT, customer
    )


@transaction.atomic
def customer_transition(
    *,
    actor: User,
    customer_id: int,
    version: int,
    to: str,
    grade: str = "",
    reason: str = "",
    deal_on: dt.date | None = None,
    defeat: Mapping[str, Any] | None = None,
    expected_purchase_on: dt.date | None = None,
    deposit_amount: Decimal | None = None,
    deposit_on: dt.date | None = None,
) -> LifecycleEvent | ApprovalRequest:
    """Move a customer to another category (or grade), refusing what the rules forbid: the one
    action of the lifecycle, with its side effects inside (a deal schedules the callbacks, a
    defeat closes the open plans: crm.activities through ``hooks.category_entered``). The
    expected purchase date a grade was chosen by is kept with it (when given).

    A rep's defeat, where the company asks for approval, is a 战败申请: the customer stays as it
    is and the pending request is returned; the manager's approval applies it exactly as asked
    (``_approved_defeat``), sending it back leaves the customer with the rep."""
    request: dict[str, Any] = {"to": to, "grade": grade, "reason": reason, "deal_on": deal_on}
    if defeat is not None:
        request["defeat"] = defeat
    if expected_purchase_on is not None:
        request["expected_purchase_on"] = expected_purchase_on
    if deposit_amount is not None:
        request["deposit_amount"] = deposit_amount
    if deposit_on is not None:
        request["deposit_on"] = deposit_on
    clean_transition(request)
    customer = _locked(actor, customer_id)
    if customer.version != version:
        raise Conflict(extra={"current_version": customer.version})
    grade = grade if to == Category.INTENTION else ""
    reason = reason.strip()
    facts = {
        "deal_on": deal_on,
        "deposit_amount": deposit_amount,
        "deposit_on": deposit_on,
        "expected_purchase_on": expected_purchase_on,
    }
    _check_transition(customer, to, grade, reason, facts)
    if to != customer.category:
        hooks.entering_category(customer=customer, to=to, actor=actor)
    defeat_data = _clean_defeat(defeat) if to == Category.DEFEATED else None
    if defeat_data is not None and defeat_needs_approval(actor, customer):
        return _request_defeat(actor, customer, reason, defeat_data)
    return _apply(
        actor, customer, to=to, grade=grade, reason=reason, facts=facts, defeat=defeat_data
    )


def pending_defeat(customer: Customer) -> ApprovalRequest | None:
    """The rep's 战败申请 of this customer waiting for the manager, if any."""
    return approvals.pending_about(customer, kind=DEFEAT_REQUEST)


def _request_defeat(
    actor: User, customer: Customer, reason: str, defeat: Mapping[str, Any]
) -> ApprovalRequest:
    if pending_defeat(customer) is not None:
        raise StateConflict(_("该客户已有待审批的战败申请"))
    return approvals.approval_submit(
        actor=actor,
        kind=DEFEAT_REQUEST,
        title=_("战败申请：%(name)s（%(number)s）")
        % {"name": customer.name, "number": customer.number},
        payload={
            "version": customer.version,
            "reason": reason,
            "defeat": {**defeat, "reason": defeat["reason"].pk},
        },
        approve_action=APPROVE_DEFEAT,
        reason=reason,
        subject=customer,
    )


@approvals.handler(DEFEAT_REQUEST)
def _approved_defeat(request: ApprovalRequest, approver: User) -> None:
    """The manager approved a rep's defeat: applied as the rep asked, if the customer has not
    changed since; the manager's note becomes the analysis' 经理意见."""
    customer = (
        Customer.objects.select_for_update()
        .filter(pk=request.subject_id, deleted_at__isnull=True)
        .first()
    )
    if customer is None:
        raise NotFound(_("客户已不存在"))
    payload = request.payload
    if customer.version != payload.get("version"):
        raise Conflict(_("申请提交后客户资料已被修改，请重新提交战败申请"))
    if (customer.category, Category.DEFEATED) not in TRANSITIONS:
        raise StateConflict(_("客户已不是意向客户"))
    defeat = _clean_defeat(payload.get("defeat"))
    if request.decision_note:
        defeat = {**defeat, "manager_comment": request.decision_note, "manager": approver}
    _apply(
        request.requested_by or approver,
        customer,
        to=Category.DEFEATED,
        grade="",
        reason=str(payload.get("reason", "")),
        facts={},
        defeat=defeat,
        audit_actor=approver,
    )


def _apply(
    actor: User,
    customer: Customer,
    *,
    to: str,
    grade: str,
    reason: str,
    facts: Mapping[str, Any],
    defeat: Mapping[str, Any] | None,
    audit_actor: User | None = None,
) -> LifecycleEvent:
    """Carry out a checked transition: the event, the analysis, the customer, the audit row and
    what entering the category does."""
    before = customer.snapshot()
    now = timezone.now()
    event = LifecycleEvent.objects.create(
        customer=customer,
        actor=actor,
        owner_id=customer.owner_id,
        department_id=customer.department_id,
        at=now,
        from_category=customer.category,
        to_category=to,
        from_grade=customer.grade,
        to_grade=grade,
        reason=reason,
    )
    if defeat is not None:
        DefeatAnalysis.objects.create(
            customer=customer, event=event, **competitors.canonical(defeat)
        )
    customer.category, customer.grade = to, grade
    if to == Category.INTENTION:
        customer.graded_at = now
        if facts.get("expected_purchase_on") is not None:
            customer.expected_purchase_on = facts["expected_purchase_on"]
        if grade == Grade.O:
            customer.deposit_amount = facts.get("deposit_amount")
            customer.deposit_on = facts.get("deposit_on")
    if to == Category.RETAINED:
        customer.deal_on = facts.get("deal_on")
    customer.version += 1
    customer.next_due_on = compute_due(customer)
    customer.save(
        update_fields=[
            "category",
            "grade",
            "graded_at",
            "expected_purchase_on",
            "deal_on",
            "deposit_amount",
            "deposit_on",
            "version",
            "next_due_on",
            "updated_at",
        ]
    )
    verb = "customer.regraded" if before["category"] == to else "customer.category_changed"
    audit.record(
        actor=audit_actor or actor,
        verb=verb,
        obj=customer,
        before=before,
        after=customer.snapshot(),
        reason=reason,
    )
    hooks.category_entered(customer=customer, event=event, actor=actor)
    return event


@transaction.atomic
def defeat_comment(*, actor: User, analysis_id: int, comment: str) -> DefeatAnalysis:
    """The manager's comment on a defeat analysis (经理意见)."""
    require(actor, COMMENT_DEFEAT)
    analysis = (
        DefeatAnalysis.objects.select_related("customer")
        .filter(
            pk=analysis_id, customer__in=restrict(Customer.objects.all(), actor, COMMENT_DEFEAT)
        )
        .first()
    )
    if analysis is None:
        raise NotFound()
    try:
        comment = validate(DefeatCommentInput, {"comment": comment})["comment"]
    except Invalid as exc:
        raise Invalid(fields={"manager_comment": exc.fields["comment"]}) from exc
    before = {"manager_comment": analysis.manager_comment}
    analysis.manager_comment = comment
    analysis.manager = actor
    analysis.save(update_fields=["manager_comment", "manager"])
    audit.record(
        actor=actor,
        verb="customer.defeat_commented",
        obj=analysis.customer,
        before=before,
        after={"manager_comment": analysis.manager_comment},
    )
    return analysis


def grade_mismatch(customer: Customer, rules: Iterable[cadence.GradeRule] | None = None) -> str:
    """The grade an intention customer's expected purchase date (and deposit) suggests when it
    is not the grade the customer has, else "": a customer graded C who now means to buy next
    week is followed up monthly unless somebody notices (shown on the customer and in 夕会)."""
    if customer.category != Category.INTENTION or customer.expected_purchase_on is None:
        return ""
    suggested = cadence.suggest_grade(
        expected_purchase=customer.expected_purchase_on,
        today=timezone.localdate(),
        deposit_paid=customer.deposit_amount is not None,
        rules=rules if rules is not None else grade_rules(),
    )
    return suggested if suggested != customer.grade else ""


def suggest_grade(*, expected_purchase_on: dt.date, deposit_paid: bool = False) -> str:
    return cadence.suggest_grade(
        expected_purchase=expected_purchase_on,
        today=timezone.localdate(),
        deposit_paid=deposit_paid,
        rules=grade_rules(),
    )


# --- the company's tables -------------------------------------------------------------------


@transaction.atomic
def grade_policy_update(*, actor: User, rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Edit the grade table (rows of ``GradePolicyInput``: a field left out keeps its value);
    returns the grades whose cadence changed (to recompute)."""
    require(actor, CHANGE_GRADEPOLICY)
    policies = {p.grade: p for p in GradePolicy.objects.select_for_update()}
    errors: dict[str, str] = {}
    changed: list[str] = []
    for row in rows:
        grade = str(row.get("grade", "")) or "?"
        try:
            data = validate(GradePolicyInput, row)
        except Invalid as exc:
            errors.update((f"{grade}.{field}", message) for field, message in exc.fields.items())
            continue
        policy = policies.get(data["grade"])
        if policy is None:
            errors[f"{grade}.grade"] = _("不是有效的选项")
            continue
        before = {
            "cadence_days": policy.cadence_days,
            "deal_within_days": policy.deal_within_days,
            "description": policy.description,
        }
        after = {**before, **{k: v for k, v in data.items() if k in before}}
        if after == before:
            continue
        policy.cadence_days = after["cadence_days"]
        policy.deal_within_days = after["deal_within_days"]
        policy.description = after["description"]
        policy.save()
        audit.record(
            actor=actor, verb="grade_policy.updated", obj=policy, before=before, after=after
        )
        if before["cadence_days"] != policy.cadence_days:
            changed.append(policy.grade)
    if errors:
        raise Invalid(fields=errors)
    if changed:
        from .tasks import recompute_due_for_grades

        transaction.on_commit(lambda: recompute_due_for_grades.enqueue(grades=changed))
    return changed


@transaction.atomic
def lifecycle_settings_update(
    *,
    actor: User,
    missed_grace_hours: int,
    callback_days: Iterable[int],
    defeat_needs_approval: bool = True,
) -> LifecycleSettings:
    """The grace before a plan counts as missed, the days after a deal to call back, whether a
    rep's defeat waits for the manager's approval."""
    require(actor, CHANGE_GRADEPOLICY)
    data = validate(
        LifecycleSettingsInput,
        {
            "missed_grace_hours": missed_grace_hours,
            "callback_days": list(callback_days),
            "defeat_needs_approval": defeat_needs_approval,
        },
    )
    obj = LifecycleSettings.objects.select_for_update().get_or_create(pk=1)[0]
    fields = ("missed_grace_hours", "callback_days", "defeat_needs_approval")
    before = {f: getattr(obj, f) for f in fields}
    obj.missed_grace_hours = data["missed_grace_hours"]
    obj.callback_days = ",".join(str(d) for d in sorted(set(data["callback_days"])))
    obj.defeat_needs_approval = data["defeat_needs_approval"]
    obj.save()
    audit.record(
        actor=actor,
        verb="lifecycle_settings.updated",
        obj=obj,
        before=before,
        after={f: getattr(obj, f) for f in fields},
    )
    return obj
