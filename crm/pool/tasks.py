"""The pool's background work (run by ``crm worker``): the nightly return, enqueued once a day by
the workday scheduler (crm.activities.tasks, registered in ``PoolConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from crm.core import context

from . import services

NIGHTLY_NAME = "pool_return_due"


def nightly_hour() -> int:
    """The local hour from which the nightly pass runs (before the morning digest)."""
    return int(settings.CRM_POOL_HOUR)


@task()
def pool_return_due(day: str = "") -> dict[str, int]:
    """Return the customers whose day has come and warn their owners of the coming ones."""
    with context.bind(job_id=f"pool_return_due:{day}"):
        return services.pool_return_due().as_dict()


def enqueue_nightly(day: dt.date) -> None:
    pool_return_due.enqueue(day=day.isoformat())
