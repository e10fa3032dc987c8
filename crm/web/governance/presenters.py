"""How an audit event reads in the viewer: the verb in words, what it was about, what changed or
what was searched and how many rows came back. Presentation only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from crm.governance.models import AuditEvent
from crm.governance.selectors import CUSTOMER_TYPE
from crm.governance.verbs import VERB_LABELS
from crm.web.customers.presenters import VERB_LABELS as CUSTOMER_VERB_LABELS
from crm.web.customers.presenters import label


def verb_labels() -> dict[str, str]:
    return {v: str(t) for v, t in {**CUSTOMER_VERB_LABELS, **VERB_LABELS}.items()}


def verb_choices() -> list[tuple[str, str]]:
    labels = verb_labels()
    return sorted(((v, f"{t} · {v}") for v, t in labels.items()), key=lambda c: c[0])


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    verb_label: str
    subject: str
    customer_id: int | None
    detail: str


def _filter_text(details: dict[str, Any]) -> str:
    parts = []
    shown = details.get("filter") or {}
    if shown:
        parts.append(
            _("条件：%(filter)s") % {"filter": "，".join(f"{k}={v}" for k, v in shown.items())}
        )
    if "count" in details:
        parts.append(_("%(n)s 条") % {"n": details["count"]})
    return "；".join(parts)


def _detail(event: AuditEvent) -> str:
    if event.details:
        return _filter_text(event.details)
    if event.changes:
        fields = "、".join(label(f) for f in event.changes)
        return _("变更：%(fields)s") % {"fields": fields}
    return event.reason


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    labels = verb_labels()
    rows = []
    for event in events:
        is_customer = event.object_type == CUSTOMER_TYPE and event.object_id.isdigit()
        subject = event.object_repr or (
            _("客户（列表）") if event.object_type == CUSTOMER_TYPE else event.object_type
        )
        rows.append(
            AuditRow(
                event=event,
                verb_label=labels.get(event.verb, event.verb),
                subject=subject,
                customer_id=int(event.object_id) if is_customer else None,
                detail=_detail(event),
            )
        )
    return rows
