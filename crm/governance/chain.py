"""The audit log's hash chain: tamper evidence for ``AuditEvent`` (ADR 0008).

Entries are written unsealed (``audit.record`` stays one INSERT in the caller's transaction, no
lock). The sealer (``seal``: every minute from the scheduler, before ``crm audit verify`` and by
``crm audit seal``) takes one lock (a PostgreSQL advisory lock; SQLite has a single writer),
reads the committed unsealed entries in id order and gives each the next chain position
``chain_seq`` and ``chain_hash = sha256(previous chain_hash || canonical content)`` (32 zero
bytes before the first). An entry is tamper-evident from the moment it is sealed.

``verify`` recomputes every link from the stored content and the previous entry's stored hash,
so a break is reported where it is: a changed entry (its content no longer matches its seal),
removed entries (a gap in the positions), reordered entries (an entry whose seal says it
follows another one than the one before it) and inserted ones (entries between two entries that
were sealed next to each other). Removing the newest entries leaves no gap: ``verify`` prints
the head (last position and hash) so that it can be kept outside the database and compared.

The canonical content differs per database but sealing and verifying use the same one: on
PostgreSQL the record text of the hashed columns, computed in SQL (the verifier's whole pass is
SQL: each link is checked against the previous stored hash with ``lag``), on SQLite a JSON array
computed in Python.

The actor: ``actor_id`` is not hashed, ``actor_name`` is. Users are deactivated, not deleted,
but when a user row is deleted anyway (the admin site) Django sets ``actor_id`` to NULL (an
UPDATE): the PostgreSQL trigger (migration 0005) allows exactly that (``actor_id`` to NULL,
everything else unchanged) besides the one-time seal, and refuses every other UPDATE and every
DELETE. Who acted stays in the chain through ``actor_name``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

from .models import AuditEvent

GENESIS = bytes(32)
SEAL_BATCH = 20_000
# pg_advisory_xact_lock key of the sealer ("audit" + 1 as a number)
LOCK_KEY = 0x61756469_7401
# breaks kept with their details (a wholly broken chain would otherwise fill the memory)
MAX_BREAKS = 1_000
# how far around a broken link to look for the entry its seal says it follows
WINDOW = 64

TABLE = AuditEvent._meta.db_table

# the hashed columns, in order (``actor_id`` is not: see the module docstring)
COLUMNS = (
    "id",
    "created_at",
    "actor_name",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "details",
    "reason",
    "request_id",
    "job_id",
    "ip",
)
_JSON_COLUMNS = {"changes", "details"}

# PostgreSQL: the record's text (fields with separators or quotes are quoted: unambiguous;
# jsonb's text is canonical; the time as microseconds since the epoch, whatever the session's
# time zone or date style).
_PG_CONTENT = (
    "convert_to(row("
    + ", ".join(
        "(extract(epoch from created_at) * 1000000)::bigint" if c == "created_at" else c
        for c in COLUMNS
    )
    + ")::text, 'UTF8')"
)


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _sqlite_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _JSON_COLUMNS:
        return json.loads(value)
    if isinstance(value, dt.datetime):  # stored in UTC without a zone
        return (value.replace(tzinfo=dt.UTC) - _EPOCH) // dt.timedelta(microseconds=1)
    return value


def _sqlite_content(row: Sequence[Any]) -> bytes:
    """SQLite's canonical content of one row of ``COLUMNS`` as stored (JSON re-encoded with
    sorted keys, so only a change of the value changes it)."""
    values = [_sqlite_value(name, v) for name, v in zip(COLUMNS, row, strict=True)]
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


def link(prev: bytes, content: bytes) -> bytes:
    return hashlib.sha256(prev + content).digest()


# --- sealing ----------------------------------------------------------------------------------


def seal(*, batch_size: int = SEAL_BATCH, progress: Callable[[int], None] | None = None) -> int:
    """Seal every committed unsealed entry, in batches of ``batch_size`` (one transaction
    each, so a large backlog does not hold the lock for long). Returns how many were sealed.
    Idempotent: with nothing unsealed it changes nothing."""
    total = 0
    after = 0  # the last id sealed by this pass: the next batch starts there, not at the
    # start of the queue index (a backlog leaves dead index entries behind until VACUUM)
    while True:
        done, after = _seal_batch(batch_size, after)
        total += done
        if progress is not None and done:
            progress(total)
        if done < batch_size:
            return total


def _head(cur: Any) -> tuple[int, bytes]:
    cur.execute(
        f"SELECT chain_seq, chain_hash FROM {TABLE} WHERE chain_seq IS NOT NULL "
        "ORDER BY chain_seq DESC LIMIT 1"
    )
    row = cur.fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))


def _seal_batch(limit: int, after: int) -> tuple[int, int]:
    with transaction.atomic(), connection.cursor() as cur:
        if _is_pg():
            # one sealer at a time; the statements below see what committed before it got the lock
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        seq, prev = _head(cur)
        if _is_pg():
            cur.execute(
                f"SELECT id, {_PG_CONTENT} FROM {TABLE} WHERE chain_seq IS NULL AND id > %s "
                "ORDER BY id LIMIT %s",
                [after, limit],
            )
            pending = [(row[0], bytes(row[1])) for row in cur.fetchall()]
        else:
            cur.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE chain_seq IS NULL AND id > %s "
                "ORDER BY id LIMIT %s",
                [after, limit],
            )
            pending = [(row[0], _sqlite_content(row)) for row in cur.fetchall()]
        if not pending:
            return 0, after
        ids: list[int] = []
        seqs: list[int] = []
        hashes: list[bytes] = []
        for entry_id, content in pending:
            seq += 1
            prev = link(prev, content)
            ids.append(entry_id)
            seqs.append(seq)
            hashes.append(prev)
        if _is_pg():
            cur.execute(
                f"UPDATE {TABLE} AS t SET chain_seq = v.seq, chain_hash = v.h "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[]) AS v(id, seq, h) "
                "WHERE t.id = v.id AND t.chain_seq IS NULL",
                [ids, seqs, hashes],
            )
        else:
            cur.executemany(
                f"UPDATE {TABLE} SET chain_seq = %s, chain_hash = %s "
                "WHERE id = %s AND chain_seq IS NULL",
                list(zip(seqs, hashes, ids, strict=True)),
            )
        if cur.rowcount != len(ids):  # only the sealer writes these columns, under the lock
            raise RuntimeError("audit entries were sealed behind the sealer's back")
        return len(ids), ids[-1]


# --- verifying --------------------------------------------------------------------------------

CHANGED = "changed"
REMOVED = "removed"
REORDERED = "reordered"
INSERTED = "inserted"


@dataclass(frozen=True)
class Break:
    """One place where the chain does not hold."""

    kind: str  # CHANGED, REMOVED, REORDERED, INSERTED
    position: int  # the chain position (for REMOVED: the first missing one)
    entry_id: int | None  # the entry there (None for REMOVED)
    note: str = ""

    def describe(self) -> str:
        if self.kind == REMOVED:
            return _("第 %(position)s 条起缺失 %(note)s 条（被删除）") % {
                "position": self.position,
                "note": self.note,
            }
        if self.kind == REORDERED:
            return _(
                "第 %(position)s 条（编号 %(id)s）顺序被调换：按封存它应在编号 %(note)s 之后"
            ) % {
                "position": self.position,
                "id": self.entry_id,
                "note": self.note,
            }
        if self.kind == INSERTED:
            return _("第 %(position)s 条（编号 %(id)s）是插入的：前后两条封存时相邻") % {
                "position": self.position,
                "id": self.entry_id,
            }
        return _(
            "第 %(position)s 条（编号 %(id)s）内容与封存不符（被修改、伪造，或其前一条被删除）"
        ) % {
            "position": self.position,
            "id": self.entry_id,
        }


@dataclass
class Report:
    checked: int = 0
    seconds: float = 0.0
    sealed_now: int = 0
    head_position: int = 0
    head_hash: bytes = GENESIS
    breaks: list[Break] = field(default_factory=list)
    more_breaks: int = 0  # beyond MAX_BREAKS

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.more_breaks


@dataclass(frozen=True)
class _Row:
    position: int
    entry_id: int
    content: bytes
    stored: bytes


def verify(*, seal_first: bool = True, jobs: int = 1) -> Report:
    """Check every sealed entry's link (sealing the backlog first). ``jobs`` > 1 splits the
    positions among that many connections on PostgreSQL (outside a transaction only: other
    connections would not see this one's uncommitted rows)."""
    report = Report()
    start = time.perf_counter()
    if seal_first:
        report.sealed_now = seal()
    with connection.cursor() as cur:
        report.head_position, report.head_hash = _head(cur)
    suspects: list[tuple[int, int, int | None]] = []  # (position, id, previous position)
    if _is_pg():
        report.checked, suspects = _pg_suspects(jobs if not connection.in_atomic_block else 1)
    else:
        report.checked, suspects = _sqlite_suspects()
    _classify(report, suspects)
    report.seconds = time.perf_counter() - start
    return report


def _suspect_rows(
    rows: Iterable[_Row],
) -> Iterator[tuple[int, int, int | None]]:
    """(position, id, previous position) of each row whose link to the row before it fails or
    that does not follow it directly."""
    prev: _Row | None = None
    for row in rows:
        expected_prev = prev.stored if prev is not None else GENESIS
        prev_position = prev.position if prev is not None else 0
        if row.position != prev_position + 1 or link(expected_prev, row.content) != row.stored:
            yield row.position, row.entry_id, prev_position
        prev = row


def _sqlite_rows(where: str = "", params: Sequence[Any] = ()) -> Iterator[_Row]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT chain_seq, chain_hash, {', '.join(COLUMNS)} FROM {TABLE} "
            f"WHERE chain_seq IS NOT NULL {where} ORDER BY chain_seq",
            list(params),
        )
        while batch := cur.fetchmany(10_000):
            for r in batch:
                yield _Row(int(r[0]), int(r[2]), _sqlite_content(r[2:]), bytes(r[1]))


def _sqlite_suspects() -> tuple[int, list[tuple[int, int, int | None]]]:
    count = 0

    def counted() -> Iterator[_Row]:
        nonlocal count
        for row in _sqlite_rows():
            count += 1
            yield row

    suspects = _capped(_suspect_rows(counted()))
    return count, suspects


def _capped(found: Iterable[tuple[int, int, int | None]]) -> list[tuple[int, int, int | None]]:
    """At most MAX_BREAKS * 4 suspects (each break is one to three of them)."""
    out: list[tuple[int, int, int | None]] = []
    for item in found:
        if len(out) < MAX_BREAKS * 4:
            out.append(item)
    return out


def _pg_link_sql(lo: int | None, hi: int | None) -> tuple[str, list[Any]]:
    """The rows in positions [lo, hi] whose link fails or that do not follow the row before."""
    bounds, outer, params = "", "", []
    if lo is not None and hi is not None:
        # from the last position before lo, to give lo's row its predecessor
        bounds = (
            f" AND chain_seq >= COALESCE((SELECT max(chain_seq) FROM {TABLE} "
            "WHERE chain_seq < %s), %s) AND chain_seq <= %s"
        )
        outer = " AND chain_seq >= %s"
        params = [lo, lo, hi, lo]
    sql = (
        "SELECT chain_seq, id, prev_seq FROM ("
        "SELECT chain_seq, id, chain_hash, "
        "lag(chain_seq) OVER w AS prev_seq, "
        f"sha256(COALESCE(lag(chain_hash) OVER w, %s) || {_PG_CONTENT}) AS expected "
        f"FROM {TABLE} WHERE chain_seq IS NOT NULL{bounds} WINDOW w AS (ORDER BY chain_seq)"
        ") c WHERE (chain_seq <> COALESCE(prev_seq, 0) + 1 OR chain_hash <> expected)"
        f"{outer}"
    )
    return sql, [GENESIS, *params]


def _pg_range_suspects(lo: int | None, hi: int | None) -> list[tuple[int, int, int | None]]:
    sql, params = _pg_link_sql(lo, hi)
    found: list[tuple[int, int, int | None]] = []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while batch := cur.fetchmany(1000):
            for seq, entry_id, prev_seq in batch:
                if len(found) < MAX_BREAKS * 4:
                    found.append((int(seq), int(entry_id), prev_seq or 0))
    return found


def _pg_suspects(jobs: int) -> tuple[int, list[tuple[int, int, int | None]]]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*), min(chain_seq), max(chain_seq) FROM {TABLE} "
            "WHERE chain_seq IS NOT NULL"
        )
        count, first, last = cur.fetchone()
    if not count:
        return 0, []
    if jobs <= 1 or count < 100_000:
        return int(count), _pg_range_suspects(None, None)
    # the positions split among ``jobs`` connections (each its own PostgreSQL backend)
    step = (last - first + jobs) // jobs
    ranges = [(lo, min(lo + step - 1, last)) for lo in range(first, last + 1, step)]
    results: list[list[tuple[int, int, int | None]]] = [[] for _ in ranges]
    errors: list[BaseException] = []

    def work(i: int, lo: int, hi: int) -> None:
        try:
            results[i] = _pg_range_suspects(lo, hi)
        except BaseException as exc:  # re-raised below, in the caller's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(i, lo, hi), name=f"audit-verify-{i}")
        for i, (lo, hi) in enumerate(ranges)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    # a row at the start of a range is checked against the row before it, which another range
    # checked: no break is seen twice, none is lost
    return int(count), [s for r in results for s in r]


def _window_rows(lo: int, hi: int) -> list[_Row]:
    """The sealed rows in positions [lo, hi] with their canonical content."""
    if not _is_pg():
        return list(_sqlite_rows("AND chain_seq BETWEEN %s AND %s", [lo, hi]))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT chain_seq, id, {_PG_CONTENT}, chain_hash FROM {TABLE} "
            "WHERE chain_seq BETWEEN %s AND %s ORDER BY chain_seq",
            [lo, hi],
        )
        return [_Row(int(s), int(i), bytes(c), bytes(h)) for s, i, c, h in cur.fetchall()]


def _sealed_after(row: _Row, rows: Sequence[_Row]) -> _Row | bool | None:
    """The row nearby whose stored hash ``row``'s seal follows: None for the chain's start,
    False when there is none (its content does not match its seal)."""
    if link(GENESIS, row.content) == row.stored:
        return None
    for other in rows:
        if other is not row and link(other.stored, row.content) == row.stored:
            return other
    return False


def _classify(report: Report, suspects: list[tuple[int, int, int | None]]) -> None:
    """Turn failing links into breaks, in position order. A gap is a removal (the link after it
    cannot be checked). A row whose seal follows no row nearby was changed (or forged) — unless
    the row after it is sealed right after the row before it: then it was inserted (so is a
    forged row that links correctly to the row before it). A row whose
    seal follows another row than the one before it was reordered; the row after a reordered
    one fails its link too and is not reported again."""
    breaks: dict[int, Break] = {}
    gap_after: set[int] = set()
    for position, _entry_id, prev_position in suspects:
        prev_position = prev_position or 0
        if position != prev_position + 1:
            missing = position - prev_position - 1
            if missing > 0:
                breaks[prev_position + 1] = Break(REMOVED, prev_position + 1, None, str(missing))
            gap_after.add(position)
    forged: dict[int, _Row] = {}
    displaced: set[int] = set()
    for position, entry_id, _prev in suspects:
        if position in gap_after:
            continue
        rows = _window_rows(max(1, position - WINDOW), position + WINDOW)
        here = next((r for r in rows if r.position == position), None)
        if here is None:
            continue
        after = _sealed_after(here, rows)
        if after is False:
            forged[position] = here
            breaks[position] = Break(CHANGED, position, entry_id)
            continue
        start = after.position if isinstance(after, _Row) else 0
        between = [r for r in rows if start < r.position < position]
        if start < position and between and not any(r.position in displaced for r in between):
            for r in between:  # the rows between two neighbours of the sealed chain
                breaks[r.position] = Break(INSERTED, r.position, r.entry_id)
            continue
        if isinstance(after, _Row) and after.position in displaced:
            continue  # its predecessor was moved away: reported there
        displaced.add(position)
        note = str(after.entry_id) if isinstance(after, _Row) else "-"
        breaks[position] = Break(REORDERED, position, entry_id, note)
    ordered = sorted(breaks.values(), key=lambda b: b.position)
    report.breaks = ordered[:MAX_BREAKS]
    report.more_breaks = max(0, len(ordered) - MAX_BREAKS)
