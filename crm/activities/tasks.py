"""Background work of the workday (run by ``crm worker``): missed plans, the daily digest.

Tasks are adapters like the API handlers: they call services. The ``Scheduler`` decides when to
enqueue them; ``crm worker`` runs it in a thread next to the task loop. Several worker processes
may run it at once: each decision is claimed with an insert-or-skip ``DailyRun`` row, so a job is
enqueued once per slot whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone, translation
from django_tasks import task

from crm.core import context
from crm.core.tasks import refresh_statistics

from . import selectors, services

logger = logging.getLogger(__name__)

MISSED_EVERY_MINUTES = 5
KEEP_RUN_MARKS_DAYS = 7
TICK_SECONDS = 30.0


@task()
def mark_missed_plans() -> int:
    """Plans past due by the grace period become missed; their assignees are told."""
    with context.bind(job_id="mark_missed_plans"):
        return services.plans_mark_missed()


@task()
def customer_bulk(
    actor_id: int, operation: str, value: str, ids: list[int], language: str = ""
) -> dict[str, object]:
    """A bulk action of the customer list on a large whole filter (crm.customers.bulk): each
    customer through its single action; the user is told the outcome in a reminder."""
    from crm.accounts.models import User
    from crm.customers import bulk

    actor = User.objects.filter(pk=actor_id, is_active=True).first()
    if actor is None:
        return {}
    with (
        context.bind(job_id="customer_bulk"),
        translation.override(language or settings.LANGUAGE_CODE),
    ):
        outcome = bulk.bulk_apply(actor=actor, operation=operation, value=value, ids=ids)
        services.notify(
            user=actor, kind="customer_bulk", title=outcome.summary(), url="/customers/"
        )
    return outcome.as_dict()


@task()
def send_daily_digest(user_id: int, day: str) -> bool:
    """One user's digest for ``day`` (ISO date); at most once per user and day."""
    user = selectors.digest_recipients().filter(pk=user_id).first()
    if user is None:
        return False
    with context.bind(job_id=f"daily_digest:{day}"):
        return services.daily_digest_send(user=user, today=dt.date.fromisoformat(day))


@task()
def send_daily_digests(day: str | None = None) -> int:
    """Fan out: one ``send_daily_digest`` task per rep and manager (a failure stays one user's).
    Returns how many were enqueued."""
    day = day or timezone.localdate().isoformat()
    ids = list(selectors.digest_recipients().values_list("pk", flat=True))
    for user_id in ids:
        send_daily_digest.enqueue(user_id=user_id, day=day)
    return len(ids)


# --- the scheduler --------------------------------------------------------------------------


@dataclass(frozen=True)
class Daily:
    """A once-a-day job another domain registers (the pool's nightly return): enqueued at or
    after ``hour()`` local time, once per day across every worker (a ``DailyRun`` claim)."""

    name: str
    enqueue: Callable[[dt.date], None]
    hour: Callable[[], int]


_DAILY: dict[str, Daily] = {}


def on_daily(name: str, enqueue: Callable[[dt.date], None], *, hour: Callable[[], int]) -> None:
    _DAILY[name] = Daily(name=name, enqueue=enqueue, hour=hour)


@dataclass(frozen=True)
class Every:
    """A small job another domain registers to run every ``minutes`` (the audit log's sealer).
    It runs in the scheduler's own thread, in every worker, neither enqueued nor claimed (no
    task row and no claim row every minute): it must be idempotent and safe to run in several
    workers at once. A failure is logged and the scheduler goes on."""

    name: str
    run: Callable[[], object]
    minutes: int


_EVERY: dict[str, Every] = {}


def on_every(name: str, run: Callable[[], object], *, minutes: int = 1) -> None:
    _EVERY[name] = Every(name=name, run=run, minutes=minutes)


@dataclass
class Scheduler:
    """What to enqueue at a given moment. ``tick(now)`` is called every ``TICK_SECONDS`` by
    ``crm worker``; tests call it with the clock they want.

    - ``mark_missed_plans`` once per ``missed_every_minutes`` slot of the local day;
    - ``send_daily_digests`` once a day, at or after ``digest_hour`` local time (a worker that
      starts later that day still sends it), with ``refresh_statistics`` (SQLite housekeeping);
    - the daily jobs other domains register with ``on_daily`` (the pools' nightly return), each
      once a day at or after its own hour;
    - the jobs registered with ``on_every`` (the audit log's sealer), run here once per slot of
      their minutes (not listed in the returned names: nothing is enqueued).
    """

    digest_hour: int = field(default_factory=lambda: int(settings.CRM_DIGEST_HOUR))
    missed_every_minutes: int = MISSED_EVERY_MINUTES
    _missed_slot: tuple[dt.date, int] | None = None
    _digest_day: dt.date | None = None
    _daily_days: dict[str, dt.date] = field(default_factory=dict)
    _every_slots: dict[str, tuple[dt.date, int]] = field(default_factory=dict)

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Enqueue what is due at ``now``; returns the names of the tasks this process
        enqueued (another process may have claimed the rest)."""
        local = timezone.localtime(now or timezone.now())
        today = local.date()
        done: list[str] = []
        slot = (local.hour * 60 + local.minute) // self.missed_every_minutes
        if self._missed_slot != (today, slot):
            minutes = slot * self.missed_every_minutes
            name = f"mark_missed_plans@{minutes // 60:02d}{minutes % 60:02d}"
            with transaction.atomic():  # no mark without its task
                if services.daily_run_claim(name=name, day=today):
                    mark_missed_plans.enqueue()
                    done.append("mark_missed_plans")
            self._missed_slot = (today, slot)
        if local.hour >= self.digest_hour and self._digest_day != today:
            with transaction.atomic():
                if services.daily_run_claim(name="send_daily_digests", day=today):
                    services.daily_runs_prune(before=today - dt.timedelta(days=KEEP_RUN_MARKS_DAYS))
                    send_daily_digests.enqueue(day=today.isoformat())
                    done.append("send_daily_digests")
                    refresh_statistics.enqueue()  # daily housekeeping rides on the same claim
                    done.append("refresh_statistics")
            self._digest_day = today
        for job in list(_DAILY.values()):
            if local.hour >= job.hour() and self._daily_days.get(job.name) != today:
                with transaction.atomic():
                    if services.daily_run_claim(name=job.name, day=today):
                        job.enqueue(today)
                        done.append(job.name)
                self._daily_days[job.name] = today
        for every in list(_EVERY.values()):
            every_slot = (today, (local.hour * 60 + local.minute) // every.minutes)
            if self._every_slots.get(every.name) != every_slot:
                self._every_slots[every.name] = every_slot
                try:
                    every.run()
                except Exception:
                    logger.exception("scheduled %s failed", every.name)
        return done


def run_scheduler(
    stop: threading.Event,
    *,
    scheduler: Scheduler | None = None,
    interval: float = TICK_SECONDS,
    clock: Callable[[], dt.datetime] = timezone.now,
) -> None:
    """The scheduler thread's loop: tick, then wait ``interval`` seconds or until ``stop``.
    An error is logged and the loop goes on (the database may be restarting)."""
    scheduler = scheduler or Scheduler()
    while not stop.is_set():
        close_old_connections()
        try:
            for name in scheduler.tick(clock()):
                logger.info("scheduler enqueued %s", name)
        except Exception:
            logger.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(interval)
