"""One-box customer search over names, companies, pinyin and phone fragments.

Why hand-written: Chinese names are two to four characters, and two-character fragments defeat
trigram indexes (pg_trgm falls back to a scan; SQLite's FTS5 trigram tokenizer returns nothing
under three characters). So every name and company is indexed split into single characters and
a fragment is searched as a *phrase* of adjacent characters: FTS5 on SQLite, a GIN-indexed
``tsvector`` on PostgreSQL. Pinyin keys (``zsf``, ``zhangsanfeng``) are matched by prefix, and
phone fragments by prefix over the number's suffixes (``1380`` matches a suffix starting 1380).

Both backends get the same four fields from ``document()``; only their storage and query syntax
differ. Rows are written by the customer services (never by signals) and removed on soft delete.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .pinyin import pinyin_keys, query_key

TABLE = "customers_search"
MIN_DIGITS = 4
_TOKEN_CHARS = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Document:
    name_chars: tuple[str, ...]
    company_chars: tuple[str, ...]
    pinyin: tuple[str, ...]
    digits: tuple[str, ...]


def _chars(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", text).lower()
    return tuple(_TOKEN_CHARS.findall(text))


def _suffixes(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    return [digits[i:] for i in range(len(digits) - MIN_DIGITS + 1)]


PinyinCache = dict[str, tuple[str, ...]]


def _keys(text: str, cache: PinyinCache | None) -> tuple[str, ...]:
    if cache is None:
        return pinyin_keys(text)
    keys = cache.get(text)
    if keys is None:
        keys = cache[text] = pinyin_keys(text)
    return keys


def document(
    name: str, company: str, phones: Iterable[str], *, pinyin_cache: PinyinCache | None = None
) -> Document:
    """The index fields of one customer; ``pinyin_cache`` memoises pinyin by distinct text."""
    digits: list[str] = []
    for phone in phones:
        for suffix in _suffixes(phone):
            if suffix not in digits:
                digits.append(suffix)
    keys = list(_keys(name, pinyin_cache))
    if company and company != name:
        keys += [k for k in _keys(company, pinyin_cache) if k not in keys]
    return Document(
        _chars(name), _chars(company) if company != name else (), tuple(keys), tuple(digits)
    )


# --- query parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What the user typed, as the parts the index can answer."""

    phrase: tuple[str, ...] = ()  # adjacent characters in the name or company
    pinyin_prefix: str = ""
    digits_prefix: str = ""

    @property
    def empty(self) -> bool:
        return not (self.phrase or self.pinyin_prefix or self.digits_prefix)


def parse(q: str) -> Query:
    text = unicodedata.normalize("NFKC", q).strip().lower()
    compact = re.sub(r"[\s\-]", "", text)
    if compact.isdigit():
        if len(compact) >= MIN_DIGITS:
            return Query(digits_prefix=compact)
        return Query(phrase=_chars(compact))
    chars = _chars(text)
    if compact.isascii() and compact.isalpha():
        return Query(phrase=chars, pinyin_prefix=query_key(compact))
    return Query(phrase=chars)


# --- backends -------------------------------------------------------------------------------


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_vector(doc: Document) -> str:
    positions: dict[str, list[str]] = {}
    pos = 1
    for weight, tokens, gap in (
        ("A", doc.name_chars, 8),
        ("B", doc.company_chars, 8),
        ("C", doc.pinyin, 1),
        ("D", doc.digits, 1),
    ):
        for token in tokens:
            positions.setdefault(token, []).append(f"{min(pos, 16383)}{weight}")
            pos += 1
        pos += gap
    return " ".join(f"{_quote(t)}:{','.join(p)}" for t, p in positions.items())


def _pg_query(query: Query) -> str:
    parts: list[str] = []
    if query.phrase:
        parts.append("(" + " <-> ".join(f"{_quote(c)}:AB" for c in query.phrase) + ")")
    if query.pinyin_prefix:
        parts.append(f"{_quote(query.pinyin_prefix)}:*C")
    if query.digits_prefix:
        parts.append(f"{_quote(query.digits_prefix)}:*D")
    return " | ".join(parts)


def _fts_query(query: Query) -> str:
    parts: list[str] = []
    if query.phrase:
        parts.append('{name_chars company_chars} : "' + " ".join(query.phrase) + '"')
    if query.pinyin_prefix:
        parts.append(f'pinyin : "{query.pinyin_prefix}" *')
    if query.digits_prefix:
        parts.append(f'digits : "{query.digits_prefix}" *')
    return " OR ".join(parts)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def create_table_sql() -> list[str]:
    if _is_postgres():
        return [
            f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
        ]
    return [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(name_chars, company_chars, pinyin, digits, "
        "tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3 4', detail = full)"
    ]


def drop_table_sql() -> list[str]:
    return [f"DROP TABLE IF EXISTS {TABLE}"]


Row = tuple[int, str, str, Sequence[str]]  # customer id, name, company, phones


def _sqlite_row(pk: int, d: Document) -> tuple[int, str, str, str, str]:
    return (
        pk,
        " ".join(d.name_chars),
        " ".join(d.company_chars),
        " ".join(d.pinyin),
        " ".join(d.digits),
    )


def write(
    rows: Iterable[Row], *, replace: bool = True, pinyin_cache: PinyinCache | None = None
) -> int:
    """Index the given customers, replacing their previous rows unless ``replace`` is False.

    Without ``replace`` (new customers, bulk loads) PostgreSQL gets one ``COPY``. Bulk loaders
    pass a ``pinyin_cache`` dict kept across calls: names repeat, and pinyin is the costly part.
    """
    batch = [
        (pk, document(name, company, phones, pinyin_cache=pinyin_cache))
        for pk, name, company, phones in rows
    ]
    if not batch:
        return 0
    if replace:
        remove([pk for pk, _ in batch])
    if _is_postgres():
        vectors = [(pk, _pg_vector(doc)) for pk, doc in batch]
        if replace:
            with connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {TABLE} (rowid, document) VALUES (%s, %s::tsvector)", vectors
                )
        else:
            connection.ensure_connection()
            raw: Any = connection.connection
            with raw.cursor() as cur, cur.copy(f"COPY {TABLE} (rowid, document) FROM STDIN") as cp:
                for row in vectors:
                    cp.write_row(row)
    else:
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {TABLE} (rowid, name_chars, company_chars, pinyin, digits) "
                "VALUES (%s, %s, %s, %s, %s)",
                [_sqlite_row(pk, d) for pk, d in batch],
            )
    return len(batch)


def optimize() -> None:
    """After a bulk load: merge FTS5's segments into one (PostgreSQL's VACUUM does the GIN's)."""
    if not _is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def remove(ids: Sequence[int]) -> None:
    if not ids:
        return
    with connection.cursor() as cur:
        marks = ", ".join(["%s"] * len(ids))
        cur.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", list(ids))


def matching_ids(query: Query, *, before: int | None, limit: int) -> list[int]:
    """Ids of customers matching ``query``, highest first, below ``before`` when given."""
    if query.empty:
        return []
    below = "AND rowid < %s" if before is not None else ""
    extra: list[int] = [before] if before is not None else []
    if _is_postgres():
        sql = (
            f"SELECT rowid FROM {TABLE} WHERE document @@ %s::tsquery {below} "
            "ORDER BY rowid DESC LIMIT %s"
        )
        params: list[str | int] = [_pg_query(query), *extra, limit]
    else:
        sql = (
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s {below} ORDER BY rowid DESC LIMIT %s"
        )
        params = [_fts_query(query), *extra, limit]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]
