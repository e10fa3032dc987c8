"""``crm worker``: runs background tasks (django-tasks' database worker loop) and, in a thread
beside it, the scheduler that enqueues the periodic jobs: missed plans every few minutes, the
daily digest once a day at ``CRM_DIGEST_HOUR``. ``crm serve`` runs the same in its own process
unless ``--no-worker``; this command is for deployments that run the background work apart.
Start one or more; with several, each periodic job is still enqueued once
(``crm.activities.tasks.Scheduler``). Every option of ``db_worker`` works here too.
"""

from __future__ import annotations

import logging
import os
from argparse import ArgumentParser
from threading import Event, Thread
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from crm.activities.tasks import TICK_SECONDS, Scheduler, run_scheduler

logger = logging.getLogger("crm.worker")


class Command(DbWorkerCommand):
    help = "Run background tasks and the scheduler of periodic jobs (missed plans, daily digest)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Only run tasks; do not enqueue the periodic jobs from this process.",
        )
        parser.add_argument(
            "--scheduler-interval",
            type=float,
            default=TICK_SECONDS,
            help="Seconds between two looks of the scheduler at the clock (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = options.pop("scheduler")
        interval = options.pop("scheduler_interval")
        stop = Event()
        # With --reload the parent process only watches files: the child runs the scheduler.
        in_reloader_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != (
            "true"
        )
        if scheduler and not options.get("batch") and not in_reloader_parent:
            thread = Thread(
                target=run_scheduler,
                args=(stop,),
                kwargs={"scheduler": Scheduler(), "interval": interval},
                name="crm-scheduler",
                daemon=True,
            )
            thread.start()
            logger.info("scheduler started (every %ss)", interval)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
