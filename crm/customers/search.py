"""One-box customer search over names, companies, pinyin and phone fragments.

Why hand-written: Chinese names are two to four characters, and two-character fragments defeat
trigram indexes (pg_trgm falls back to a scan; SQLite's FTS5 trigram tokenizer returns nothing
under three characters). So every name and company is indexed split into single characters and
a fragment is searched as a *phrase* of adjacent characters: FTS5 on SQLite, a GIN-indexed
``tsvector`` on PostgreSQL. Pinyin keys (``zsf``, ``zhangsanfeng``) are matched by prefix.

Phones are encrypted at rest (ADR 0009), so the index holds no digits: each run of four digits
of a phone is a keyed hash (``sensitive.phone_fragment_tokens``), in order, and a fragment of n
digits is searched as the phrase of its n - 3 hashes (``13800`` is the hash of 1380 followed by
that of 3800).

Both backends get the same fields from ``document()``; only their storage and query syntax
differ. Rows are written by the customer services (never by signals) and removed on soft delete.

The document also holds whose the customer is: its owner and its department as tokens (``o12``,
``d3``; ``~o12``, ``~d3`` on PostgreSQL), rewritten when the customer changes hands. A search
by someone with a narrower scope than everything asks ``crm.core.permissions.scope_terms`` for
the owners and departments they may see and adds them to the query, so that the index returns
only their matches: a rep's two-character search reads the rep's own matches, not the
company's (ADR 0001). The selector still applies ``restrict()`` to the rows it loads.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

from . import sensitive
from .pinyin import pinyin_keys, query_key

TABLE = "customers_search"
MIN_DIGITS = 4
_TOKEN_CHARS = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Document:
    name_chars: tuple[str, ...]
    company_chars: tuple[str, ...]
    pinyin: tuple[str, ...]
    digits: tuple[str, ...]  # phone fragment hashes in order, PHONE_GAP between two phones
    scope: tuple[str, ...] = ()  # owner and department tokens (``scope_tokens``)


def scope_tokens(
    *, owners: Iterable[int] = (), departments: Iterable[int] = (), rows: Iterable[int] = ()
) -> tuple[str, ...]:
    """Index tokens naming owners and departments: ``o12`` is owned by user 12, ``d3`` belongs
    to department 3; and ``r45``, customer 45 itself (one shared with the searcher): no document
    holds it, ``matching_ids`` looks those few rows up by id."""
    return (
        *(f"o{int(u)}" for u in owners),
        *(f"d{int(d)}" for d in departments),
        *(f"r{int(r)}" for r in rows),
    )


def _chars(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", text).lower()
    return tuple(_TOKEN_CHARS.findall(text))


PHONE_GAP = "zz"  # between two phones' hashes (never a hash: those are hex), so that no
# phrase spans the end of one number and the start of the next


def _fragments(phone: str) -> list[str]:
    return sensitive.phone_fragment_tokens(re.sub(r"\D", "", phone))


PinyinCache = dict[str, tuple[str, ...]]


def _keys(text: str, cache: PinyinCache | None) -> tuple[str, ...]:
    if cache is None:
        return pinyin_keys(text)
    keys = cache.get(text)
    if keys is None:
        keys = cache[text] = pinyin_keys(text)
    return keys


def document(
    name: str,
    company: str,
    phones: Iterable[str],
    *,
    owner: int | None = None,
    department: int | None = None,
    pinyin_cache: PinyinCache | None = None,
) -> Document:
    """The index fields of one customer; ``pinyin_cache`` memoises pinyin by distinct text."""
    digits: list[str] = []
    for phone in phones:
        tokens = _fragments(phone)
        if tokens:
            digits += [PHONE_GAP, *tokens] if digits else tokens
    keys = list(_keys(name, pinyin_cache))
    if company and company != name:
        keys += [k for k in _keys(company, pinyin_cache) if k not in keys]
    return Document(
        _chars(name),
        _chars(company) if company != name else (),
        tuple(keys),
        tuple(digits),
        scope_tokens(
            owners=() if owner is None else (owner,),
            departments=() if department is None else (department,),
        ),
    )


# --- query parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What the user typed, as the parts the index can answer."""

    phrase: tuple[str, ...] = ()  # adjacent characters in the name or company
    pinyin_prefix: str = ""
    digits_prefix: str = ""  # 4 or more digits of a phone, searched as the phrase of their hashes

    @property
    def digit_tokens(self) -> list[str]:
        return sensitive.phone_fragment_tokens(self.digits_prefix)

    @property
    def empty(self) -> bool:
        return not (self.phrase or self.pinyin_prefix or self.digits_prefix)


# A phone typed as written on a card: +86 138 0013 8000, 0086-10-6234 8888, (010) 6234-8888.
# A mainland number is indexed by its digits, so +86 goes; a foreign one by its E.164 digits
# (+44 20 7946 0958 is 442079460958), so only the + or the 00 dialled before it goes (00 only
# before a whole number: 00004 is a fragment).
_PHONE_MARKS = re.compile(r"[\s\-()（）.]")
_COUNTRY = re.compile(r"^(?:\+|00)?86(?=1\d{10}$|[2-9]\d{8,10}$|10\d{8}$)|^\+|^00(?=[1-9]\d{7,}$)")


def parse(q: str) -> Query:
    text = unicodedata.normalize("NFKC", q).strip().lower()
    compact = _COUNTRY.sub("", _PHONE_MARKS.sub("", text))
    if compact.isascii() and compact.isdigit():
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


# PostgreSQL. One tsvector per customer; its lexemes are told apart by their shape, so queries
# need no weights (a weight forces GIN to recheck every candidate row):
#   single characters (张, a, 1)            no positions      one-character queries
#   adjacent character pairs (张三, 三丰)   with positions    2 characters: one exact lexeme;
#                                                             3+: pairs as a phrase, 张三 <-> 三丰
#   pinyin keys (zsf, zhangsanfeng)         no positions      prefix queries, letters only
#   phone fragment hashes (#a1b2c3)         with positions    a phrase of a fragment's hashes
#   id blocks (~12.5, ~15.0, ~18.0)         no positions      see _pg_matching_ids
#   owner and department (~o12, ~d3)        no positions      the searcher's scope
# Name and company pairs are numbered apart (a gap of 8) so that a phrase never spans the two.
BLOCK_LEVELS = (12, 15, 18)  # blocks of 4,096 / 32,768 / 262,144 customer ids
WALK_ROWS = 2000
FULL_SCAN_MATCHES = 100
RARE_DIGITS = 7
MAX_BLOCKS = 8


def _block(level: int, index: int) -> str:
    return f"~{level}.{index}"


def _pg_vector(pk: int, doc: Document) -> str:
    lexemes: dict[str, list[str]] = {}
    pos = 1
    for chars in (doc.name_chars, doc.company_chars):
        for i, char in enumerate(chars):
            lexemes.setdefault(char, [])
            if i + 1 < len(chars):
                lexemes.setdefault(char + chars[i + 1], []).append(str(min(pos + i, 16383)))
        pos += len(chars) + 8
    for i, token in enumerate(doc.digits):
        if token != PHONE_GAP:
            lexemes.setdefault("#" + token, []).append(str(min(pos + i, 16383)))
    blocks = (_block(lv, pk >> lv) for lv in BLOCK_LEVELS)
    for token in (*doc.pinyin, *blocks, *("~" + t for t in doc.scope)):
        lexemes.setdefault(token, [])
    return " ".join(f"{_quote(t)}:{','.join(p)}" if p else _quote(t) for t, p in lexemes.items())


def _pg_scope(scope: Sequence[str]) -> str:
    return "(" + " | ".join(_quote("~" + t) for t in scope) + ")"


def _fts_scope(scope: Sequence[str]) -> str:
    return "scope : (" + " OR ".join(scope) + ")"


def _pg_query(query: Query) -> str:
    parts: list[str] = []
    chars = query.phrase
    if len(chars) == 1:
        parts.append(_quote(chars[0]))
    elif chars:
        pairs = [_quote(a + b) for a, b in itertools.pairwise(chars)]
        parts.append(pairs[0] if len(pairs) == 1 else "(" + " <-> ".join(pairs) + ")")
    if query.pinyin_prefix:
        parts.append(f"{_quote(query.pinyin_prefix)}:*")
    hashes = [_quote("#" + t) for t in query.digit_tokens]
    if hashes:
        parts.append(hashes[0] if len(hashes) == 1 else "(" + " <-> ".join(hashes) + ")")
    return " | ".join(parts)


def _fts_query(query: Query) -> str:
    parts: list[str] = []
    if query.phrase:
        parts.append('{name_chars company_chars} : "' + " ".join(query.phrase) + '"')
    if query.pinyin_prefix:
        parts.append(f'pinyin : "{query.pinyin_prefix}" *')
    if query.digits_prefix:
        parts.append('digits : "' + " ".join(query.digit_tokens) + '"')
    return " OR ".join(parts)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def create_table_sql() -> list[str]:
    if _is_postgres():
        return [
            f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
        ]
    return [_fts_table_sql(TABLE)]


def _fts_table_sql(name: str) -> str:
    return (
        f"CREATE VIRTUAL TABLE {name} USING fts5(name_chars, company_chars, pinyin, digits, "
        "scope, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3 4', detail = full)"
    )


def drop_table_sql() -> list[str]:
    return [f"DROP TABLE IF EXISTS {TABLE}"]


# customer id, name, company, phones[, owner id, department id]
Row = tuple[int, str, str, Sequence[str]] | tuple[int, str, str, Sequence[str], Any, Any]


def _owner_and_department(row: Row) -> tuple[int | None, int | None]:
    return (row[4], row[5]) if len(row) == 6 else (None, None)  # type: ignore[misc]


def _sqlite_row(pk: int, d: Document) -> tuple[int, str, str, str, str, str]:
    return (
        pk,
        " ".join(d.name_chars),
        " ".join(d.company_chars),
        " ".join(d.pinyin),
        " ".join(d.digits),
        " ".join(d.scope),
    )


def write(
    rows: Iterable[Row], *, replace: bool = True, pinyin_cache: PinyinCache | None = None
) -> int:
    """Index the given customers, replacing their previous rows unless ``replace`` is False.

    Without ``replace`` (new customers, bulk loads) PostgreSQL gets one ``COPY``. Bulk loaders
    pass a ``pinyin_cache`` dict kept across calls: names repeat, and pinyin is the costly part.
    """
    batch = []
    for row in rows:
        owner, department = _owner_and_department(row)
        doc = document(
            row[1], row[2], row[3], owner=owner, department=department, pinyin_cache=pinyin_cache
        )
        batch.append((row[0], doc))
    if not batch:
        return 0
    if replace:
        remove([pk for pk, _ in batch])
    if _is_postgres():
        vectors = [(pk, _pg_vector(pk, doc)) for pk, doc in batch]
        if replace:
            with connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {TABLE} (rowid, document) VALUES (%s, %s::tsvector)", vectors
                )
        else:
            connection.ensure_connection()
            raw: Any = connection.connection
            with raw.cursor() as cur, cur.copy(f"COPY {TABLE} (rowid, document) FROM STDIN") as cp:
                for vector in vectors:
                    cp.write_row(vector)
    else:
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {TABLE} (rowid, name_chars, company_chars, pinyin, digits, scope) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [_sqlite_row(pk, d) for pk, d in batch],
            )
    return len(batch)


@contextmanager
def bulk() -> Iterator[None]:
    """Around a bulk load into an empty index: PostgreSQL builds the GIN index once at the end
    (faster than maintaining it row by row); SQLite merges FTS5's segments into one."""
    if not _is_postgres():
        yield
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")
        return
    with connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {TABLE}_document")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '256MB'")
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)"
            )
            cur.execute("RESET maintenance_work_mem")


def rebuild(*, chunk: int = 5000) -> int:
    """Index every live customer afresh (after a change of the document format).

    Plain SQL over columns that exist since the first migration, so that a migration may call
    it whatever the models look like by then.
    """
    with connection.cursor() as cur:
        cur.execute(f"{'TRUNCATE' if _is_postgres() else 'DELETE FROM'} {TABLE}")
    cache: PinyinCache = {}
    done = last = 0
    with bulk(), connection.cursor() as cur:
        while True:
            cur.execute(
                "SELECT id, name, company, phone, owner_id, department_id FROM customers_customer "
                "WHERE deleted_at IS NULL AND id > %s ORDER BY id LIMIT %s",
                [last, chunk],
            )
            rows = cur.fetchall()
            if not rows:
                return done
            ids = [row[0] for row in rows]
            cur.execute(
                "SELECT customer_id, phone FROM customers_contact "
                f"WHERE phone <> '' AND customer_id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
            phones: dict[int, list[str]] = {}
            for cid, phone in cur.fetchall():
                phones.setdefault(cid, []).append(sensitive.phone_of_stored(phone))
            done += write(
                [
                    (
                        pk,
                        name,
                        company,
                        [p for p in (sensitive.phone_of_stored(phone), *phones.get(pk, ())) if p],
                        o,
                        d,
                    )
                    for pk, name, company, phone, o, d in rows
                ],
                replace=False,
                pinyin_cache=cache,
            )
            last = ids[-1]


def remove(ids: Sequence[int]) -> None:
    if not ids:
        return
    with connection.cursor() as cur:
        marks = ", ".join(["%s"] * len(ids))
        cur.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", list(ids))


def owners_removed(rows: Sequence[tuple[int, int, int | None]]) -> None:
    """Customers ``(id, former owner, department)`` that went to nobody (a public pool): only
    the owner token leaves their documents, the rest stays (no pinyin to compute again)."""
    if not rows:
        return
    with connection.cursor() as cur:
        if _is_postgres():  # one statement for the batch
            cur.execute(
                f"UPDATE {TABLE} s SET document = ts_delete(s.document, v.token) FROM "
                "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS token) v "
                "WHERE s.rowid = v.id",
                [[pk for pk, _o, _d in rows], [f"~o{int(owner)}" for _p, owner, _d in rows]],
            )
        else:
            cur.executemany(
                f"UPDATE {TABLE} SET scope = %s WHERE rowid = %s",
                [
                    (" ".join(scope_tokens(departments=[d] if d is not None else [])), pk)
                    for pk, _o, d in rows
                ],
            )


def matching_ids(
    query: Query, *, before: int | None, limit: int, scope: Sequence[str] | None = None
) -> list[int]:
    """Ids of customers matching ``query``, highest first, below ``before`` when given.

    ``scope``: owner and department tokens (``scope_tokens``) of which a match must hold one,
    or row tokens naming the match itself; None for no narrowing (everything in scope), empty
    for nothing.
    """
    if query.empty or (scope is not None and not scope):
        return []
    rows = [int(t[1:]) for t in scope if t.startswith("r")] if scope is not None else []
    if rows:
        # customers shared with the searcher: the owner/department matches and those rows'
        # matches, merged newest first (the newest ``limit`` of both is in their union)
        tokens = [t for t in (scope or ()) if not t.startswith("r")]
        found = matching_ids(query, before=before, limit=limit, scope=tokens) if tokens else []
        found += _matching_rows(query, rows, before, limit)
        return sorted(set(found), reverse=True)[:limit]
    if _is_postgres():
        tsquery = _pg_query(query)
        if scope is not None:
            tsquery = f"({tsquery}) & {_pg_scope(scope)}"
        if len(query.digits_prefix) >= RARE_DIGITS:
            # most of a phone number: a handful of matches at most, so no walk first
            with connection.cursor() as cur:
                return _pg_bitmap(cur, tsquery, before or 2**62, limit)
        return _pg_matching_ids(tsquery, before, limit)
    match = _fts_query(query)
    if scope is not None:
        match = f"({match}) AND {_fts_scope(scope)}"
    below = "AND rowid < %s" if before is not None else ""
    extra: list[int] = [before] if before is not None else []
    sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s {below} ORDER BY rowid DESC LIMIT %s"
    with connection.cursor() as cur:
        cur.execute(sql, [match, *extra, limit])
        return [row[0] for row in cur.fetchall()]


def _matching_rows(query: Query, rows: Sequence[int], before: int | None, limit: int) -> list[int]:
    """Which of the few customers ``rows`` match ``query`` (looked up by id)."""
    marks = ", ".join(["%s"] * len(rows))
    below = "AND rowid < %s" if before is not None else ""
    extra: list[int] = [before] if before is not None else []
    if _is_postgres():
        sql = (
            f"SELECT rowid FROM {TABLE} WHERE rowid IN ({marks}) AND document @@ %s::tsquery "
            f"{below} ORDER BY rowid DESC LIMIT %s"
        )
        params: list[Any] = [*rows, _pg_query(query), *extra, limit]
    else:
        sql = (
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({marks}) {below} "
            "ORDER BY rowid DESC LIMIT %s"
        )
        params = [_fts_query(query), *rows, *extra, limit]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


def add_scope() -> None:
    """Put every indexed customer's owner and department into its document (migration 0009):
    SQLite copies its rows into a table with the new column, PostgreSQL adds the lexemes."""
    with connection.cursor() as cur:
        if _is_postgres():
            with bulk():
                cur.execute(
                    f"UPDATE {TABLE} s SET document = s.document || array_to_tsvector(ARRAY("
                    "SELECT t FROM unnest(ARRAY['~o' || c.owner_id, '~d' || c.department_id]) t "
                    "WHERE t IS NOT NULL)) FROM customers_customer c WHERE c.id = s.rowid"
                )
            return
        cur.execute(f"PRAGMA table_info({TABLE})")
        if "scope" in [row[1] for row in cur.fetchall()]:
            return
        cur.execute(_fts_table_sql(f"{TABLE}_new"))
        cur.execute(
            f"INSERT INTO {TABLE}_new (rowid, name_chars, company_chars, pinyin, digits, scope) "
            "SELECT s.rowid, s.name_chars, s.company_chars, s.pinyin, s.digits, "
            "trim(COALESCE('o' || c.owner_id, '') || ' ' || COALESCE('d' || c.department_id, '')) "
            f"FROM {TABLE} s JOIN customers_customer c ON c.id = s.rowid"
        )
        cur.execute(f"DROP TABLE {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE}_new RENAME TO {TABLE}")
        cur.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def _pg_matching_ids(tsquery: str, before: int | None, limit: int) -> list[int]:
    """The newest ``limit`` matches below ``before``, visiting few rows whatever the term.

    A GIN index answers with an unordered set, so ``ORDER BY rowid DESC LIMIT n`` either
    visits every match (slow for common terms: 有限 matches a third of all customers) or walks
    the primary key newest first testing each row (slow for rare terms). PostgreSQL chooses
    between the two by its estimate, which for phrases and prefixes is often far off. So:
    first walk the newest ``WALK_ROWS`` rows (enough for a common term); failing that, search
    newest-first ranges of ids sized from the density seen so far to hold about twice the
    matches still wanted, each range named by id-block lexemes so that GIN itself intersects
    the term with the range and only the range's matches are visited.
    """
    below = "WHERE rowid < %s" if before is not None else ""
    extra: list[int] = [before] if before is not None else []
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT min(rowid) FROM {TABLE}), (SELECT max(rowid) FROM {TABLE}), "
            f"array(SELECT rowid FROM (SELECT rowid, document FROM {TABLE} {below} "
            "ORDER BY rowid DESC LIMIT %s) AS recent WHERE document @@ %s::tsquery "
            "ORDER BY rowid DESC LIMIT %s)",
            [*extra, WALK_ROWS, tsquery, limit],
        )
        low, high, ids = cur.fetchone()
        if len(ids) >= limit or low is None:
            return list(ids)
        top = min(before, high + 1) if before is not None else high + 1
        if top - low <= WALK_ROWS:
            return list(ids)
        density = max(len(ids), 0.5) / WALK_ROWS
        found: list[int] = []
        while top > low and len(found) < limit:
            need = limit - len(found)
            span = 2 * need / density
            # the finest blocks that cover the span with a few lexemes
            level = next((lv for lv in BLOCK_LEVELS if span <= MAX_BLOCKS << lv), None)
            if level is None or density * (top - low) <= max(FULL_SCAN_MATCHES, 2 * need):
                return found + _pg_bitmap(cur, tsquery, top, need)
            first, last = (top - 1) >> level, max(top - int(span), low) >> level
            blocks = " | ".join(_quote(_block(level, i)) for i in range(first, last - 1, -1))
            rows = _pg_bitmap(cur, f"({tsquery}) & ({blocks})", top, need)
            found += rows
            floor = last << level
            density = max(len(rows), 0.5) / (top - floor)
            top = floor
        return found


def _pg_bitmap(cur: Any, tsquery: str, top: int, limit: int) -> list[int]:
    # ``rowid + 0``: not the primary key's order, so that the GIN index is what gets used
    cur.execute(
        f"SELECT rowid FROM {TABLE} WHERE document @@ %s::tsquery AND rowid < %s "
        "ORDER BY rowid + 0 DESC LIMIT %s",
        [tsquery, top, limit],
    )
    return [row[0] for row in cur.fetchall()]


def owners_moved(rows: Sequence[tuple[int, int | None, int | None, int, int | None]]) -> None:
    """Customers ``(id, former owner, former department, new owner, new department)`` handed to
    another owner in a batch (a staff hand-over, 交接): only the owner and department tokens of
    their documents change, the rest stays (no pinyin to compute again)."""
    if not rows:
        return
    with connection.cursor() as cur:
        if _is_postgres():  # one statement for the batch
            cur.execute(
                f"UPDATE {TABLE} s SET document = ts_delete(s.document, ARRAY[v.o, v.d]) "
                "|| v.t::tsvector FROM (SELECT unnest(%s::bigint[]) AS id, "
                "unnest(%s::text[]) AS o, unnest(%s::text[]) AS d, unnest(%s::text[]) AS t) v "
                "WHERE s.rowid = v.id",
                [
                    [r[0] for r in rows],
                    [f"~o{int(r[1])}" if r[1] is not None else "" for r in rows],
                    [f"~d{int(r[2])}" if r[2] is not None else "" for r in rows],
                    [
                        " ".join(
                            _quote("~" + t)
                            for t in scope_tokens(
                                owners=[r[3]], departments=[r[4]] if r[4] is not None else []
                            )
                        )
                        for r in rows
                    ],
                ],
            )
        else:
            cur.executemany(
                f"UPDATE {TABLE} SET scope = %s WHERE rowid = %s",
                [
                    (
                        " ".join(
                            scope_tokens(
                                owners=[owner], departments=[dept] if dept is not None else []
                            )
                        ),
                        pk,
                    )
                    for pk, _o, _d, owner, dept in rows
                ],
            )
