"""The search index's own paging: ``matching_ids`` must return exactly the newest matches,
whichever path it takes (on PostgreSQL: the newest-rows walk, id-block ranges or one bitmap).

The thresholds are shrunk so that a few hundred rows exercise every path.
"""

from __future__ import annotations

import random

import pytest

from crm.customers import search

pytestmark = pytest.mark.django_db

SURNAMES = "王李张刘陈杨黄赵"
GIVEN = "伟芳娜敏静秀英丽强磊"


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(search, "WALK_ROWS", 8)
    monkeypatch.setattr(search, "BLOCK_LEVELS", (3, 5, 7))
    monkeypatch.setattr(search, "FULL_SCAN_MATCHES", 3)


@pytest.fixture
def index(small_thresholds):
    rng = random.Random(7)
    rows: dict[int, tuple[str, str, str]] = {}
    pk = 0
    for _ in range(400):
        pk += rng.choice((1, 1, 1, 3))  # gaps, as deleted customers leave
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        company = rng.choice(("", "", "华联科技有限公司", "三丰贸易有限公司"))
        phone = f"13{rng.randrange(10**9):09d}"
        rows[pk] = (name, company, phone)
    # a rare term among the oldest rows only, and one that is everywhere
    rows[1] = ("欧阳锋", "", "13900000001")
    rows[2] = ("欧阳克", "", "13900000002")
    search.write([(k, n, c, [p]) for k, (n, c, p) in rows.items()], replace=False)
    return rows


def expected(rows, typed: str, before: int | None, limit: int) -> list[int]:
    query = search.parse(typed)
    hits = []
    for pk in sorted(rows, reverse=True):
        if before is not None and pk >= before:
            continue
        name, company, phone = rows[pk]
        doc = search.document(name, company, [phone])
        text = ["".join(doc.name_chars), "".join(doc.company_chars)]
        found = bool(query.phrase) and any("".join(query.phrase) in t for t in text)
        found |= bool(query.pinyin_prefix) and any(
            k.startswith(query.pinyin_prefix) for k in doc.pinyin
        )
        # the index holds keyed hashes of the phone's digits (ADR 0009): a fragment anywhere
        found |= bool(query.digits_prefix) and query.digits_prefix in phone
        if found:
            hits.append(pk)
    return hits[:limit]


@pytest.mark.parametrize(
    "typed",
    ["有限", "王伟", "伟", "欧阳", "欧阳锋", "王伟伟", "秀英", "wang", "zw", "1390000", "5678"],
)
@pytest.mark.parametrize("limit", [1, 5, 21, 200])
def test_matching_ids_are_the_newest_matches(index, typed, limit):
    assert search.matching_ids(search.parse(typed), before=None, limit=limit) == expected(
        index, typed, None, limit
    )


@pytest.mark.parametrize("typed", ["有限", "王", "欧阳", "秀"])
def test_matching_ids_below_a_cursor(index, typed):
    for before in (5, 50, 333, 10_000):
        got = search.matching_ids(search.parse(typed), before=before, limit=7)
        assert got == expected(index, typed, before, 7)


def test_removed_rows_are_not_found(index):
    newest = expected(index, "有限", None, 3)
    search.remove(newest[:1])
    del index[newest[0]]
    assert search.matching_ids(search.parse("有限"), before=None, limit=3) == expected(
        index, "有限", None, 3
    )


def test_postgres_takes_every_path(index, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    seen: list[str] = []
    bitmap = search._pg_bitmap

    def spy(cur, tsquery, top, limit):
        seen.append("blocks" if "~" in tsquery else "bitmap")
        return bitmap(cur, tsquery, top, limit)

    monkeypatch.setattr(search, "_pg_bitmap", spy)
    for typed in ("有限", "王伟", "欧阳", "1390000"):
        search.matching_ids(search.parse(typed), before=None, limit=5)
    assert {"blocks", "bitmap"} <= set(seen)
    assert len(seen) < 4 * 4  # a handful of round trips, never one per block
