"""The background work of one process, in threads: django-tasks' database task loop (jobs the
application queues, e.g. recomputing due dates after the grade table changed) and the scheduler
of periodic jobs (missed plans, the daily digest: ``crm.activities.tasks.Scheduler``).

``crm serve`` runs it beside the web server unless told not to (``--no-worker``), so that one
command runs everything; ``crm worker`` runs the same two loops as a process of its own.

Several processes may run it at once (several ``crm serve`` on PostgreSQL): a task is claimed by
one worker (``SELECT … FOR UPDATE SKIP LOCKED``) and each periodic job is enqueued once per slot
(the scheduler claims it in a unique ``DailyRun`` row first). One process runs one task thread:
on SQLite, with one writer at a time, more threads would only queue for the lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("crm.worker")

RETRY_SECONDS = 5.0


def runs_database_tasks() -> bool:
    """Whether tasks are queued in the database (else there is no task loop to run: the test
    settings run each task as soon as it is enqueued)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


class BackgroundWork:
    """Start with ``start()``; ``stop()`` lets a running task finish (up to ``timeout``) and
    ends both threads. Each thread keeps its own database connection and closes it at the end.
    """

    def __init__(
        self,
        *,
        tasks: bool = True,
        scheduler: bool = True,
        interval: float = 1.0,
        scheduler_interval: float | None = None,
    ) -> None:
        from crm.activities.tasks import TICK_SECONDS

        self.tasks = tasks and runs_database_tasks()
        self.scheduler = scheduler
        self.interval = interval
        self.scheduler_interval = TICK_SECONDS if scheduler_interval is None else scheduler_interval
        self.worker_id = f"serve-{get_random_string(20)}"
        self._stop = threading.Event()
        self._worker: Worker | None = None
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> None:
        if self.tasks:
            self._spawn("crm-tasks", self._run_tasks)
        if self.scheduler:
            self._spawn("crm-scheduler", self._run_scheduler)

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask both loops to end and wait for them; False if a task was still running after
        ``timeout`` seconds (it is then cut short when the process exits)."""
        self._stop.set()
        if self._worker is not None:
            self._worker.running = False
        for thread in self._threads:
            thread.join(timeout)
        return not self.running

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        # daemon: a task that outlives stop()'s timeout does not keep the process alive
        thread = threading.Thread(target=self._closing(target), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    @staticmethod
    def _closing(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            finally:
                connections.close_all()  # this thread's connections

        return run

    def _run_tasks(self) -> None:
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=self.interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        self._worker = worker
        if self._stop.is_set():  # stopped before the loop began
            return
        logger.info("task loop started (worker %s)", self.worker_id)
        while not self._stop.is_set():
            try:
                worker.run()  # returns when stop() clears worker.running
            except Exception:
                # the database went away (restarting, network): keep trying, as `crm worker`'s
                # supervisor would restart it
                logger.exception("task loop failed; retrying in %ss", RETRY_SECONDS)
                connections.close_all()
                self._stop.wait(RETRY_SECONDS)

    def _run_scheduler(self) -> None:
        from crm.activities.tasks import Scheduler, run_scheduler

        logger.info("scheduler started (every %ss)", self.scheduler_interval)
        run_scheduler(self._stop, scheduler=Scheduler(), interval=self.scheduler_interval)
