"""The follow-up part of the customer page: status (next due, last contact, deal date), the
record and plan forms, the open plans with their reschedule forms, the defeat analysis and the
unified timeline. Shared by the customer page and the fragments that refresh it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from crm.accounts.models import User
from crm.activities import selectors
from crm.activities.models import Plan
from crm.customers import lifecycle
from crm.customers import selectors as customers
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.customers.services import CHANGE_REQUEST
from crm.governance import approvals
from crm.governance.masking import masker_for
from crm.web.customers.lifecycle_forms import legal_moves

from . import presenters
from .forms import FollowUpForm, Origin, PlanForm, PlanRescheduleForm

TIMELINE_LIMIT = 100
FOLLOWUP_SLOT = "followup"


@dataclass(frozen=True)
class Status:
    """The follow-up state at the top of the customer page."""

    next_due_on: dt.date | None
    days_overdue: int
    last_contact_at: dt.datetime | None
    cadence_days: int | None
    deal_on: dt.date | None
    expected_purchase_on: dt.date | None
    suggested_grade: str = ""  # the expected purchase date says another grade

    @property
    def due_today(self) -> bool:
        return self.next_due_on is not None and self.days_overdue == 0


def customer_status(customer: Customer, cadence: dict[str, int]) -> Status:
    today = timezone.localdate()
    due = customer.next_due_on
    return Status(
        next_due_on=due,
        days_overdue=(today - due).days if due is not None and due <= today else -1,
        last_contact_at=customer.last_contact_at,
        cadence_days=cadence.get(customer.grade) if customer.grade else None,
        deal_on=customer.deal_on,
        expected_purchase_on=customer.expected_purchase_on,
        suggested_grade=lifecycle.grade_mismatch(customer),
    )


def tomorrow_morning() -> dt.datetime:
    """The time a new plan form suggests."""
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def reschedule_form(plan: Plan) -> PlanRescheduleForm:
    return PlanRescheduleForm(
        initial={
            "planned_at": timezone.localtime(plan.planned_at),
            "method": plan.method,
            "content": plan.content,
            "version": plan.version,
        },
        prefix=f"p{plan.pk}",
    )


def workday_context(
    customer: Customer,
    *,
    actor: User,
    plan_form: PlanForm | None = None,
    followup_form: FollowUpForm | None = None,
    failed: tuple[int, forms.Form] | None = None,
) -> dict[str, Any]:
    """``failed`` is a reschedule form sent back with errors: (plan id, form)."""
    plans = presenters.open_plans(selectors.customer_plans(customer=customer))
    items = selectors.customer_timeline(customer=customer, limit=TIMELINE_LIMIT)
    origin = Origin("customer", FOLLOWUP_SLOT)
    return {
        "customer": customer,
        "status": customer_status(customer, lifecycle.cadence_table()),
        "timeline": presenters.timeline_entries(items, masker=masker_for(actor), customer=customer),
        "open_plans": [
            (p, failed[1] if failed and failed[0] == p.pk else reschedule_form(p)) for p in plans
        ],
        "plan_form": plan_form
        or PlanForm(
            owners=selectors.plan_assignees(actor=actor),
            initial={"assignee": actor.pk, "planned_at": tomorrow_morning()},
            auto_id="plan-%s",
        ),
        "form": followup_form
        or FollowUpForm(
            initial={"kind": presenters.record_kind(customer)}, auto_id=f"{origin.slot}-%s"
        ),
        "origin": origin,
        "can_transition": bool(legal_moves(customer.category)),
        **_pending(customer),
        "defeat": (
            customers.defeat_analysis(customer=customer)
            if customer.category == Category.DEFEATED
            else None
        ),
    }


def _pending(customer: Customer) -> dict[str, Any]:
    """The requests about the customer waiting for a decision (one query): the rep's 战败申请
    and the change requests (客户资料变更申请), for the page's banners."""
    pending = list(approvals.pending_all_about(customer))
    return {
        "pending_defeat": next((r for r in pending if r.kind == lifecycle.DEFEAT_REQUEST), None),
        "pending_changes": [r for r in pending if r.kind == CHANGE_REQUEST],
    }
