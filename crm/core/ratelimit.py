"""Fixed-window hit counters shared by every application process: the API's rate limits
(crm.api.middleware) and the public complaint form's (crm.service.guard).

Redis (Django's cache) when CRM_REDIS_URL is set, otherwise a table of the database,
``crm_rate_counter`` (crm/accounts/migrations/0012): one atomic upsert counts a request in all
its buckets."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection

COUNTER_TABLE = "crm_rate_counter"


def count(buckets: list[tuple[str, int]], window: int, number: int) -> list[int]:
    """Count one request in each bucket of the window ``number``; the counts, bucket by bucket."""
    if not settings.CACHES["default"]["BACKEND"].endswith("db.DatabaseCache"):
        counts = []
        for name, _limit in buckets:
            key = f"crm:rate:{name}:{window}:{number}"
            try:
                hits = cache.incr(key)
            except ValueError:  # the window's first request (or a race with another one)
                hits = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
            counts.append(hits)
        return counts
    names = [f"{name}:{window}" for name, _limit in buckets]
    rows = ", ".join(["(%s, %s, 1)"] * len(names))
    with connection.cursor() as cur:
        # the existing row's values on the right of SET: a new window starts again at 1
        cur.execute(
            f"INSERT INTO {COUNTER_TABLE} (bucket, period, hits) VALUES {rows} "
            f"ON CONFLICT (bucket) DO UPDATE SET hits = CASE WHEN {COUNTER_TABLE}.period = "
            f"excluded.period THEN {COUNTER_TABLE}.hits + 1 ELSE 1 END, period = excluded.period "
            "RETURNING bucket, hits",
            [v for name in names for v in (name, number)],
        )
        found = dict(cur.fetchall())
        if any(hits == 1 for hits in found.values()):
            # a window's first request: counters of clients gone quiet are dropped meanwhile
            cur.execute(f"DELETE FROM {COUNTER_TABLE} WHERE period < %s", [number - 1])
    return [found[name] for name in names]
