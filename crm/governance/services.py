"""Writes of confidentiality (密级): revealing a masked field (one audited read each), the data
administrator's levels and clearances, and the access log's export. Every write is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Role, User
from crm.accounts.roles import MANAGE_CONFIDENTIALITY, REVEAL_FIELD, VIEW_AUDIT
from crm.core.errors import Invalid, PermissionDenied
from crm.core.permissions import Scope, require
from crm.customers import selectors as customers

from . import audit, exports, masking, selectors
from .confidentiality import GROUP_OF_FIELD, GROUPS, Clearance, Level
from .models import FieldGroupLevel, RoleClearance

REVEALED = "customer.field_revealed"
ACCESS_EXPORTED = "access_log.exported"
CONFIDENTIALITY_UPDATED = "confidentiality.updated"


def reveal_field(*, actor: User, customer_id: int, field: str) -> str:
    """The unmasked value of one field of one customer, for one who holds
    ``governance.reveal_field`` over it; logged (who, which field, which customer, when)."""
    require(actor, REVEAL_FIELD)
    if field not in GROUP_OF_FIELD:
        raise Invalid(fields={"field": _("不是可查看的字段")})
    customer = customers.customer_get(actor=actor, customer_id=customer_id)
    require(actor, REVEAL_FIELD, customer)
    if not hasattr(customer, field):
        raise Invalid(fields={"field": _("不是可查看的字段")})
    value = getattr(customer, field)
    audit.record(actor=actor, verb=REVEALED, obj=customer, details={"field": field})
    return "" if value is None else str(value)


def _snapshot() -> dict[str, Any]:
    levels = masking.group_levels()
    roles = {r.code: masking.role_clearance(r.code) for r in Role.objects.all()}
    return {
        **{f"group.{code}": int(level) for code, level in levels.items()},
        **{f"role.{code}": f"{int(c.level)}/{c.scope}" for code, c in roles.items()},
    }


def confidentiality_update(
    *, actor: User, levels: dict[str, int], clearances: dict[str, Clearance]
) -> None:
    """Set field groups' levels and roles' clearances (the data administrator's settings)."""
    require(actor, MANAGE_CONFIDENTIALITY)
    errors: dict[str, str] = {}
    for code, level in levels.items():
        if code not in GROUPS or level not in Level.values:
            errors[f"group.{code}"] = _("不是有效的选项")
    known = set(Role.objects.values_list("code", flat=True))
    for code, clearance in clearances.items():
        if (
            code not in known
            or clearance.level not in Level.values
            or clearance.scope not in Scope.ORDER
        ):
            errors[f"role.{code}"] = _("不是有效的选项")
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        before = _snapshot()
        for code, level in levels.items():
            FieldGroupLevel.objects.update_or_create(group=code, defaults={"level": int(level)})
        for code, clearance in clearances.items():
            RoleClearance.objects.update_or_create(
                role_id=code, defaults={"level": int(clearance.level), "scope": clearance.scope}
            )
        after = _snapshot()
        if before != after:
            audit.record(
                actor=actor,
                verb=CONFIDENTIALITY_UPDATED,
                object_type="governance.confidentiality",
                before=before,
                after=after,
            )
    masking.settings_changed()


def access_log_export(
    *,
    actor: User,
    filters: selectors.AuditFilters,
    labels: dict[str, str],
    now: dt.datetime | None = None,
) -> tuple[bytes, int]:
    """The access log under ``filters`` as an Excel workbook (formula-safe), newest first, at
    most ``selectors.EXPORT_LIMIT`` rows; ``labels``: the verbs in words. The export itself is
    logged (and shows in the access log as an export)."""
    require(actor, VIEW_AUDIT)
    events = selectors.access_events(actor=actor, filters=filters)
    bulk_read_check(actor=actor, count=len(events), what=_("导出查阅登记"))
    now = now or timezone.now()
    content = exports.access_workbook(
        events, labels=labels, exported_by=actor.display_name, exported_at=now
    )
    audit.record(
        actor=actor,
        verb=ACCESS_EXPORTED,
        object_type="governance.auditevent",
        details={"filter": filters.as_text(), "count": len(events)},
    )
    return content, len(events)


def bulk_read_check(*, actor: User, count: int, what: str) -> None:
    """The one gate of bulk reads of customer data outside a 客户数据调用申请 (crm.retrieval,
    which is the way to take more): more than ``CRM_BULK_READ_THRESHOLD`` rows is refused (403)
    with what to do instead."""
    limit = int(getattr(settings, "CRM_BULK_READ_THRESHOLD", 500))
    if count > limit:
        raise PermissionDenied(
            _(
                "%(what)s超过 %(n)s 条：请缩小范围，"
                "或提交客户数据调用申请，经部门总监和总经理批准后导出"
            )
            % {"what": what, "n": limit}
        )
