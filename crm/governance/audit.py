"""The one audit writer. Only services call ``record`` (bulk loads ``record_many``); it runs in
the caller's transaction.

Changes name the object they changed (``obj``) with the before/after diff. Reads of personal
data are logged too (查阅登记): one record's read names the record; a list or search names the
kind of record (``object_type``) and carries its filter and how many rows it returned in
``details``: one row per request, never one per row read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from crm.core import bulk, context
from crm.core.models import diff

from .models import AuditEvent

ANONYMOUS = "匿名"
SYSTEM = "系统"


def _object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def _actor_fields(actor: Any, ctx: context.RequestContext) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        # nobody signed in: a request from outside (e.g. a failed sign-in), else a job or command
        name = ANONYMOUS if ctx.request_id and not ctx.job_id else SYSTEM
        return {"actor": None, "actor_name": name}
    return {"actor": actor, "actor_name": getattr(actor, "display_name", str(actor))[:150]}


def _event(
    *,
    actor: Any,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of one audit row."""
    if obj is None and not object_type:
        raise ValueError("record() needs obj or object_type")
    ctx = context.current()
    return dict(
        **_actor_fields(actor, ctx),
        verb=verb,
        object_type=_object_type(obj) if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=diff(before, after),
        details=details or {},
        reason=reason[:500],
        request_id=ctx.request_id,
        job_id=ctx.job_id,
        ip=ctx.ip,
    )


def record(
    *,
    actor: Any,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit row (one INSERT). ``obj`` or, for a list, ``object_type`` says what it is about."""
    event = AuditEvent(
        **_event(
            actor=actor,
            verb=verb,
            obj=obj,
            object_type=object_type,
            before=before,
            after=after,
            reason=reason,
            details=details,
        )
    )
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class Entry:
    """One row for ``record_many``: the arguments of ``record``."""

    actor: Any
    verb: str
    obj: models.Model | None = None
    object_type: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = ""
    details: dict[str, Any] | None = None


def record_many(entries: Iterable[Entry], *, batch_size: int = 2000) -> int:
    """The rows ``record`` would write for each entry, in a few INSERTs (bulk loads such as the
    demo company and the pool's nightly pass, where one INSERT per row would be most of the
    time), from plain values (``crm.core.bulk``). Returns how many."""
    rows = [
        _event(
            actor=e.actor,
            verb=e.verb,
            obj=e.obj,
            object_type=e.object_type,
            before=e.before,
            after=e.after,
            reason=e.reason,
            details=e.details,
        )
        for e in entries
    ]
    return bulk.insert_rows(AuditEvent, rows, batch_size=batch_size)
