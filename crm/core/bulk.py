"""Insert many rows from plain values, without a model instance per row.

Django's ``bulk_create`` builds a model instance for each row and prepares each value through
its field (``pre_save``, ``get_db_prep_save``): for the nightly pool pass, which writes a pool
entry and a history row for each of ~90,000 customers on a backlog night, that preparation was
about a third of the pass. ``insert_rows`` takes rows as ``{field name: value}`` with values
already in their Python form (ints, strings, aware datetimes, dicts for JSON), fills the
fields left out with their defaults once per batch, and on PostgreSQL writes each batch with one
``INSERT … SELECT FROM unnest(…)`` (the statement ``bulk_create`` itself uses there), on SQLite
with multi-row ``INSERT … VALUES`` of as many rows as its variable limit allows.
Nothing here runs ``save()`` or signals: only for models that have neither custom saves nor
receivers that matter for bulk loads (the same rule as ``bulk_create``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


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
    given: set[str] = set().union(*(row.keys() for row in rows))
    fields = _columns(model, given)
    now = timezone.now()
    stamped = [getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields]
    fills = [now if s else f.get_default() for f, s in zip(fields, stamped, strict=True)]
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    if connection.vendor != "postgresql":
        return _sqlite_rows(head, fields, fills, rows)
    casts = []
    for f in fields:
        db_type = (f.db_type(connection) or "text").split("(")[0]
        casts.append(f"%s::{db_type}[]")
    sql = f"{head} SELECT * FROM unnest({', '.join(casts)})"
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


def _sqlite_rows(
    head: str,
    fields: list[models.Field[Any, Any]],
    fills: list[Any],
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Multi-row ``INSERT … VALUES`` on SQLite, each value prepared as ``insert_objects``
    prepares it (not a model instance per row, as ``bulk_create`` builds)."""
    preparers = [_preparer(f) for f in fields]
    filled = [prep(fill) for prep, fill in zip(preparers, fills, strict=True)]
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    size = max(1, min(limit, 30000) // len(fields))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    parts = list(zip(fields, preparers, filled, strict=True))
    with connection.cursor() as cur:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params: list[Any] = []
            for row in chunk:
                for f, prep, fill in parts:
                    if f.name in row or f.attname in row:
                        params.append(prep(_value(f, row, None)))
                    else:
                        params.append(fill)
            cur.execute(f"{head} VALUES {', '.join([one] * len(chunk))}", params)
    return len(rows)


# --- model instances, their ids returned ------------------------------------------------------

_PLAIN = {
    "CharField",
    "TextField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "ForeignKey",
    "OneToOneField",
}
_PLAIN_TYPES = (str, int, bool)


def _preparer(field: models.Field[Any, Any]) -> Any:
    """How a value of ``field`` goes to the database: Django's own ``get_db_prep_save`` for
    anything unusual, the backend's adapter for dates, times and decimals, JSON as text, and
    plain strings, ints and bools as they are (the bulk of a customer row)."""
    ops = connection.ops
    kind = field.get_internal_type()

    def generic(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if not type(field).__module__.startswith("django.db.models"):
        return generic
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        digits, places = field.max_digits, field.decimal_places  # type: ignore[attr-defined]
        return lambda v: ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    if kind in _PLAIN:
        return lambda v: v if v is None or type(v) in _PLAIN_TYPES else generic(v)
    return generic


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """``bulk_create(objs)`` for many rows, faster: each field's preparation chosen once (not
    asked of the field for every value), one multi-row ``INSERT … RETURNING`` per chunk on
    SQLite (as many rows as the library's variable limit allows, not Django's 999 variables)
    and ``INSERT … SELECT FROM unnest(…) RETURNING`` on PostgreSQL (the statements
    ``bulk_create`` itself uses); sets each object's primary key. ``auto_now``/``auto_now_add``
    fields are stamped; nothing else of ``save()`` runs (the rule of ``bulk_create``)."""
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                f.pre_save(obj, True)
    preparers = list(zip([_preparer(f) for f in fields], [f.attname for f in fields], strict=True))
    qn = connection.ops.quote_name
    assert meta.pk is not None
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    tail = f"RETURNING {qn(meta.pk.column)}"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            casts = ", ".join(f"%s::{_array_type(f)}[]" for f in fields)
            sql = f"{head} SELECT * FROM unnest({casts}) {tail}"
            for chunk in _chunks(objs, 5000):
                cur.execute(sql, [[prep(getattr(o, a)) for o in chunk] for prep, a in preparers])
                _set_ids(chunk, cur.fetchall())
            return
        connection.ensure_connection()
        # Django assumes SQLite's old limit of 999 variables; the library says what it takes
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for chunk in _chunks(objs, max(1, min(limit, 30000) // len(fields))):
            sql = f"{head} VALUES {', '.join([one] * len(chunk))} {tail}"
            cur.execute(sql, [prep(getattr(o, a)) for o in chunk for prep, a in preparers])
            _set_ids(chunk, cur.fetchall())


def _array_type(field: models.Field[Any, Any]) -> str:
    if isinstance(field, models.JSONField):
        return "jsonb"
    return (field.db_type(connection) or "text").split("(")[0]


def _chunks(objs: Sequence[models.Model], size: int) -> list[Sequence[models.Model]]:
    return [objs[i : i + size] for i in range(0, len(objs), size)]


def _set_ids(chunk: Sequence[models.Model], ids: Sequence[tuple[Any, ...]]) -> None:
    for obj, (value,) in zip(chunk, ids, strict=True):
        obj.pk = value
        obj._state.adding = False


def instance_maker(model: type[M], **values: Any) -> Callable[[], M]:
    """New unsaved ``model`` instances with ``values`` set, made by copying one that ``__init__``
    built (which walks every field, a default each, for every instance: for a fifty-field
    customer that was most of what an import spent on making them). Mutable defaults (a JSON
    field's dict or list) are made afresh for each, never shared."""
    template = model(**values)
    mutable = [
        f
        for f in model._meta.concrete_fields
        if isinstance(getattr(template, f.attname, None), dict | list)
    ]
    state = {k: v for k, v in template.__dict__.items() if k != "_state"}
    cached = dict(template._state.fields_cache)

    def make() -> M:
        obj = model.__new__(model)
        obj.__dict__.update(state)
        obj._state = ModelState()
        obj._state.fields_cache = dict(cached)
        for f in mutable:
            obj.__dict__[f.attname] = f.get_default()
        return obj

    return make
