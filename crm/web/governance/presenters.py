"""How an audit event reads in the viewer: the verb in words, what it was about, what changed or
what was searched and how many rows came back. Presentation only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.governance.models import AuditEvent
from crm.governance.selectors import CUSTOMER_TYPE
from crm.governance.verbs import VERB_LABELS
from crm.web.customers.presenters import VERB_LABELS as CUSTOMER_VERB_LABELS
from crm.web.customers.presenters import label

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


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


FILTER_LABELS: dict[str, StrPromise] = {
    "q": gettext_lazy("搜索"),
    "category": gettext_lazy("类别"),
    "grade": gettext_lazy("级别"),
    "owner": gettext_lazy("负责人"),
    "tag": gettext_lazy("标签"),
    "deleted": gettext_lazy("回收站"),
    "next_page": gettext_lazy("后续页"),
    "mine": gettext_lazy("只看我的"),
    "follow": gettext_lazy("跟进状态"),
    "created": gettext_lazy("创建时间"),
    "sort": gettext_lazy("排序"),
    "which": gettext_lazy("范围"),
    "day": gettext_lazy("日期"),
}
WHICH_LABELS: dict[str, StrPromise] = {
    "today_page": gettext_lazy("今日工作页"),
    "overdue": gettext_lazy("逾期未跟进"),
    "today": gettext_lazy("今天到期"),
    "due": gettext_lazy("逾期和今天到期"),
}


def _filter_value(key: str, value: Any) -> str:
    if value is True:
        return "✓"
    if key == "which":
        return str(WHICH_LABELS.get(str(value), value))
    return str(value)


def _filter_text(details: dict[str, Any]) -> str:
    parts = []
    shown = details.get("filter") or {}
    if shown:
        terms = [f"{FILTER_LABELS.get(k, k)}={_filter_value(k, v)}" for k, v in shown.items()]
        parts.append(_("条件：%(filter)s") % {"filter": ", ".join(terms)})
    if "count" in details:
        parts.append(_("%(n)s 条") % {"n": details["count"]})
    return " · ".join(parts)


def _detail(event: AuditEvent) -> str:
    field = (event.details or {}).get("field")
    if isinstance(field, str):  # a masked field revealed
        return _("字段：%(field)s") % {"field": label(field)}
    if event.details:
        return _filter_text(event.details)
    if event.changes:
        fields = ", ".join(label(f) for f in event.changes)
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
