from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Fields left out of audit snapshots (bookkeeping, not business data).
    snapshot_exclude: tuple[str, ...] = ("created_at", "updated_at")

    class Meta:
        abstract = True

    def snapshot(self) -> dict[str, Any]:
        """Business field values as JSON-ready data, for audit before/after diffs."""
        data: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.name in self.snapshot_exclude:
                continue
            key = field.attname
            data[field.name] = _plain(getattr(self, key))
        return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose values differ."""
    before = before or {}
    after = after or {}
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new and not (_empty(old) and _empty(new)):
            changes[key] = [old, new]
    return changes


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []
