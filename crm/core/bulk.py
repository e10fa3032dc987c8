"""Insert many rows from plain values, without a model instance per row.

Django's ``bulk_create`` builds a model instance for each row and prepares each value through
its field (``pre_save``, ``get_db_prep_save``): for the nightly pool pass, which writes a pool
entry and a history row for each of ~90,000 customers on a backlog night, that preparation was
about a third of the pass. ``insert_rows`` takes rows as ``{field name: value}`` with values
already in their Python form (ints, strings, aware datetimes, dicts for JSON), fills the
fields left out with their defaults once per batch, and on PostgreSQL writes each batch with one
``INSERT … SELECT FROM unnest(…)`` (the statement ``bulk_create`` itself uses there). Other
databases go through ``bulk_create`` (SQLite's embedded installs never see such volumes).
Nothing here runs ``save()`` or signals: only for models that have neither custom saves nor
receivers that matter for bulk loads (the same rule as ``bulk_create``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _columns(model: type[models.Model], given: set[str]) -> list[models.Field[Any, Any]]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unknown = given - {f.name for f in fields} - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    return fields


def _value(field: models.Field[Any, Any], row: Mapping[str, Any], fill: Any) -> Any:
    if field.name in row:
        value = row[field.name]
        if isinstance(value, models.Model):
            return value.pk
        return value
    if field.attname in row:
        return row[field.attname]
    return fill


def insert_rows(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, batch_size: int = 5000
) -> int:
    """INSERT ``rows`` (``{field name or attname: value}``; a related field may take the
    instance or the id) into ``model``'s table; fields left out take their default (``auto_now``
    and ``auto_now_add`` fields: now). Returns how many rows were written."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        objs = [model(**dict(row)) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return len(objs)
    given: set[str] = set().union(*(row.keys() for row in rows))
    fields = _columns(model, given)
    now = timezone.now()
    stamped = [getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields]
    fills = [now if s else f.get_default() for f, s in zip(fields, stamped, strict=True)]
    qn = connection.ops.quote_name
    casts = []
    for f in fields:
        db_type = (f.db_type(connection) or "text").split("(")[0]
        casts.append(f"%s::{db_type}[]")
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({', '.join(casts)})"
    )
    is_json = [isinstance(f, models.JSONField) for f in fields]
    with connection.cursor() as cur:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            columns: list[list[Any]] = []
            for f, fill, as_json in zip(fields, fills, is_json, strict=True):
                values = [_value(f, row, fill) for row in chunk]
                if as_json:
                    values = [
                        None if v is None else json.dumps(v, cls=f.encoder)  # type: ignore[attr-defined]
                        for v in values
                    ]
                columns.append(values)
            cur.execute(sql, columns)
    return len(rows)
