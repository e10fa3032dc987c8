"""The one audit writer. Only services call ``record``; it runs in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from crm.core import context
from crm.core.models import diff

from .models import AuditEvent


def _object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "系统"}
    return {"actor": actor, "actor_name": getattr(actor, "display_name", str(actor))[:150]}


def record(
    *,
    actor: Any,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    ctx = context.current()
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        verb=verb,
        object_type=_object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=diff(before, after),
        reason=reason[:500],
        request_id=ctx.request_id,
        job_id=ctx.job_id,
        ip=ctx.ip,
    )
