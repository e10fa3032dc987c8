"""Key rotation of the encrypted columns (``crm keys``, ADR 0009).

``rotate`` re-encrypts every stored value not under the keyring's primary key, in batches by id,
each batch its own transaction. It keeps no progress record: the key id at the front of each
value *is* the progress, so after an interruption the same command goes on where it stopped
(rows already under the primary key are skipped by the query). The blind indexes and the search
index are keyed by the ``index`` secret, which a rotation leaves alone: lookups, duplicate checks
and fragment search work throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from crm.governance import audit

from . import crypto
from .sensitive import encrypted_columns

BATCH = 1000


@dataclass(frozen=True)
class Progress:
    table: str
    column: str
    done: int  # values of this column re-encrypted so far in this run
    last_id: int


def usage() -> dict[str, dict[str, int]]:
    """``{"table.column": {key id: values}}``: which keys the stored values need."""
    found: dict[str, dict[str, int]] = {}
    with connection.cursor() as cur:
        for table, column, _purpose in encrypted_columns():
            # the key id is what stands before the first colon
            cur.execute(
                f"SELECT substr({column}, 1, instr({column}, ':') - 1), count(*) FROM {table} "
                f"WHERE {column} <> '' GROUP BY 1"
                if connection.vendor == "sqlite"
                else f"SELECT split_part({column}, ':', 1), count(*) FROM {table} "
                f"WHERE {column} <> '' GROUP BY 1"
            )
            found[f"{table}.{column}"] = {kid or "?": n for kid, n in cur.fetchall()}
    return found


def keys_in_use() -> set[str]:
    return {kid for counts in usage().values() for kid in counts}


def rotate(
    *, batch: int = BATCH, on_batch: Callable[[Progress], None] | None = None
) -> dict[str, int]:
    """Re-encrypt under the primary key everything that is not yet; ``{table.column: values}``.

    ``on_batch`` is called after each committed batch (the command prints progress there)."""
    ring = crypto.keyring()
    primary = ring.primary
    totals: dict[str, int] = {}
    for table, column, purpose in encrypted_columns():
        done = last = 0
        while True:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    # substr, not LIKE: SQLite's LIKE ignores case, and key ids do not
                    f"SELECT id, {column} FROM {table} WHERE id > %s AND {column} <> '' "
                    f"AND substr({column}, 1, %s) <> %s ORDER BY id LIMIT %s",
                    [last, len(primary) + 1, primary + ":", batch],
                )
                rows = cur.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                # ``AND column = old``: a value changed meanwhile (by an edit, already under
                # the primary key) is left as the edit wrote it
                cur.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s AND {column} = %s",
                    [(crypto.reencrypt(old, purpose), pk, old) for pk, old in rows],
                )
                done += len(rows)
            if on_batch is not None:
                on_batch(Progress(table, column, done, last))
        totals[f"{table}.{column}"] = done
    audit.record(
        actor=None,
        verb="keys.rotated",
        object_type="keyring",
        details={"primary": primary, "values": sum(totals.values())},
    )
    return totals
