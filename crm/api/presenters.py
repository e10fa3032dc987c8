"""Customers as JSON-ready dicts for the response schemas.

The list endpoint renders up to 100 customers per request. Validating model instances through
django-ninja's attribute getter costs about three times as much as validating plain dicts, so
customers are presented here once, explicitly, and the output schemas are plain pydantic models.
Sensitive fields are read through the model's properties (crm.customers.sensitive).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from crm.activities.choices import FollowUpKind, PlanKind, PlanMethod, PlanStatus
from crm.activities.models import Attachment, FollowUp, Notification, Plan
from crm.activities.selectors import TimelineItem
from crm.core.pagination import Page
from crm.core.regions import currency_label, language_label, region_label
from crm.customers.choices import Category, CompanyType, Grade, Kind
from crm.customers.models import Customer, DefeatAnalysis, LifecycleEvent
from crm.customers.services import CHANGE_REQUEST, change_request_values
from crm.customers.sources import source_names
from crm.governance import approvals
from crm.governance.masking import Masker, masker_for
from crm.governance.models import ApprovalRequest

_LABELS: dict[str, dict[str, str | Promise]] = {
    "kind": dict(Kind.choices),
    "category": dict(Category.choices),
    "grade": dict(Grade.choices),
    "company_type": dict(CompanyType.choices),
}
# 国际客户: named in the reader's language from CLDR (crm.core.regions)
_REGION_LABELS = {"country": region_label, "language": language_label, "currency": currency_label}
_PLAIN = (
    "id", "number", "kind", "name", "wechat", "email", "credit_code", "company", "address", "city",
    "bank_name",
    "staff_count", "annual_revenue", "main_business", "needs", "feedback", "source", "category",
    "grade", "notes", "version", "created_at", "updated_at", "deleted_at",
    "expected_purchase_on", "deal_on", "deposit_amount", "deposit_on",
    "fax", "country", "website", "language", "time_zone", "company_type", "currency",
)  # fmt: skip


def _translated_labels() -> dict[str, dict[str, str]]:
    """The choice labels in the active language, translated once (for a page of customers)."""
    return {
        field: {v: str(label) for v, label in labels.items()} for field, labels in _LABELS.items()
    }


def customer_out(
    customer: Customer,
    actor: Any,
    sources: dict[str, str] | None = None,
    labels: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A customer as the API shows it to ``actor``: fields above their confidentiality level
    masked (crm.governance.masking); ``sources``: the source names by code and ``labels`` the
    choice labels translated, when a page of customers read them once (a lazy label translated
    for every row cost about 0.2 ms a page of 20)."""
    customer = masker_for(actor).show(customer)
    data: dict[str, Any] = {name: getattr(customer, name) for name in _PLAIN}
    names = sources if sources is not None else source_names([customer.source])
    data["source_label"] = names.get(customer.source, "")
    data["phone"] = customer.phone
    data["id_number"] = customer.id_number
    data["bank_account"] = customer.bank_account
    for field, choices in _LABELS.items():
        if labels is not None:
            data[f"{field}_label"] = labels[field].get(data[field], "")
        else:
            label = choices.get(data[field])
            data[f"{field}_label"] = str(label) if label else ""
    for field, name in _REGION_LABELS.items():
        value = data[field]
        data[f"{field}_label"] = name(value) if value and "*" not in value else ""
    owner, department = customer.owner, customer.department
    data["owner"] = {"id": owner.pk, "name": owner.display_name} if owner else None
    data["department"] = {"id": department.pk, "name": department.name} if department else None
    data["tags"] = customer.tag_names
    return data


def customer_page(page: Page[Customer], actor: Any) -> dict[str, Any]:
    sources = source_names(c.source for c in page.items)
    labels = _translated_labels()
    items = [customer_out(c, actor, sources, labels) for c in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


# --- the workday ----------------------------------------------------------------------------


def ref_out(obj: Any) -> dict[str, Any] | None:
    """``{"id", "name"}`` of a user (its display name), a department, a round … (None: None)."""
    if obj is None:
        return None
    name = (
        getattr(obj, "display_name", None)
        or getattr(obj, "name", None)
        or getattr(obj, "title", str(obj))
    )
    return {"id": obj.pk, "name": name}


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else ""


def followup_out(f: FollowUp) -> dict[str, Any]:
    data = {name: getattr(f, name) for name in _FOLLOWUP_PLAIN}
    data["kind_label"] = _label(FollowUpKind, f.kind)
    data["staff"] = ref_out(f.staff)
    data["commented_by"] = ref_out(f.commented_by)
    data["attachments"] = [attachment_out(a) for a in f.attachments.all()]  # type: ignore[attr-defined]
    return data


def attachment_out(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "content_type": a.content_type,
        "size": a.size,
        "url": f"/api/v1/attachments/{a.pk}",
    }


_FOLLOWUP_PLAIN = (
    "id", "customer_id", "kind", "occurred_at", "content", "outcome", "place", "purpose",
    "feedback", "subject", "recipient", "next_step", "satisfaction", "counted", "comment",
    "commented_at", "created_at",
)  # fmt: skip


def followup_page(page: Page[FollowUp]) -> dict[str, Any]:
    return {"items": [followup_out(f) for f in page.items], "next_cursor": page.next_cursor}


def plan_out(p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "customer": {"id": p.customer.pk, "name": p.customer.name},
        "kind": p.kind,
        "kind_label": _label(PlanKind, p.kind),
        "method": p.method,
        "method_label": _label(PlanMethod, p.method),
        "planned_at": p.planned_at,
        "content": p.text,
        "status": p.status,
        "status_label": _label(PlanStatus, p.status),
        "assignee": ref_out(p.assignee),
        "fulfilled_by": p.fulfilled_by_id,
        "version": p.version,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def defeat_out(d: DefeatAnalysis) -> dict[str, Any]:
    return {
        "id": d.pk,
        "customer_id": d.customer_id,
        "reason": {"id": d.reason.pk, "name": d.reason.name},
        "competitor_brand": d.competitor_brand,
        "competitor_model": d.competitor_model,
        "tried": d.tried,
        "manager_comment": d.manager_comment,
        "manager": ref_out(d.manager),
        "created_at": d.created_at,
    }


def event_out(e: LifecycleEvent) -> dict[str, Any]:
    defeat = getattr(e, "defeat", None) if e.to_category == Category.DEFEATED else None
    return {
        "id": e.pk,
        "at": e.at,
        "actor": ref_out(e.actor),
        "from_category": e.from_category,
        "from_category_label": _label(Category, e.from_category),
        "to_category": e.to_category,
        "to_category_label": _label(Category, e.to_category),
        "from_grade": e.from_grade,
        "to_grade": e.to_grade,
        "reason": e.reason,
        "defeat": defeat_out(defeat) if defeat is not None else None,
    }


def transition_out(e: LifecycleEvent, actor: Any) -> dict[str, Any]:
    return {"event": event_out(e), "customer": customer_out(e.customer, actor)}


def approval_out(r: ApprovalRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "title": r.title,
        "state": r.state,
        "state_label": str(r.get_state_display()),
        "requested_by": r.requested_by.display_name if r.requested_by else None,
        "created_at": r.created_at,
        "decided_by": r.decided_by.display_name if r.decided_by else None,
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
        "reason": r.reason,
        "current_step": r.current_step,
        "steps": [
            {
                "position": s.position,
                "label": s.label,
                "state": s.state,
                "state_label": str(s.get_state_display()),
                "decided_by": s.decided_by.display_name if s.decided_by else None,
                "decided_at": s.decided_at,
                "note": s.note,
            }
            for s in approvals.steps_of(r)
        ],
        "subject_type": r.subject_type,
        "subject_id": r.subject_id,
        "changes": change_request_values(r)[0] if r.kind == CHANGE_REQUEST else None,
        "before": change_request_values(r)[1] if r.kind == CHANGE_REQUEST else None,
    }


_CHANGE_TITLES = {
    "customer.created": gettext_lazy("创建客户"),
    "customer.updated": gettext_lazy("修改资料"),
    "customer.deleted": gettext_lazy("移入回收站"),
    "customer.restored": gettext_lazy("从回收站恢复"),
}


def timeline_out(item: TimelineItem, masker: Masker, customer: Customer) -> dict[str, Any]:
    """One timeline item; field changes above the reader's level masked."""
    obj = item.obj
    title = str(item.title)
    if item.kind == "followup":
        detail = followup_out(obj)
        del detail["staff"], detail["customer_id"]
    elif item.kind == "plan":
        detail = plan_out(obj)
        del detail["customer"]
    elif item.kind == "lifecycle":
        detail = event_out(obj)
    else:
        title = str(_CHANGE_TITLES.get(item.title, item.title))
        detail = {"verb": item.title, "changes": masker.changes(item.detail, customer)}
    return {"at": item.at, "kind": item.kind, "title": title, "actor": item.actor, "detail": detail}


def due_page(page: Page[Customer], today: dt.date) -> dict[str, Any]:
    items = []
    for c in page.items:
        due = c.next_due_on
        items.append(
            {
                "id": c.pk,
                "number": c.number,
                "name": c.name,
                "kind": c.kind,
                "category": c.category,
                "category_label": _label(Category, c.category),
                "grade": c.grade,
                "grade_label": _label(Grade, c.grade),
                "next_due_on": due,
                "last_contact_at": c.last_contact_at,
                "overdue_days": max(0, (today - due).days) if due is not None else 0,
                "tags": c.tag_names,
            }
        )
    return {"items": items, "next_cursor": page.next_cursor}


def notification_page(page: Page[Notification]) -> dict[str, Any]:
    fields = ("id", "kind", "title", "body", "url", "created_at", "read_at")
    return {
        "items": [{f: getattr(n, f) for f in fields} for n in page.items],
        "next_cursor": page.next_cursor,
    }
