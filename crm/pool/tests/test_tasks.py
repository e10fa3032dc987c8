"""The nightly pass as the worker runs it: enqueued once a day from the pool hour by the workday
scheduler, whatever the number of workers, and doing the returns when it runs."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from crm.activities import tasks as workday
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.pool import tasks
from crm.testing import at

MONDAY = dt.date(2026, 11, 23)


def test_the_scheduler_enqueues_the_nightly_pass_once_a_day_from_the_pool_hour(db, settings):
    settings.CRM_POOL_HOUR = 1
    with mock.patch.object(tasks, "pool_return_due") as task:
        first, second = workday.Scheduler(digest_hour=23), workday.Scheduler(digest_hour=23)
        assert tasks.NIGHTLY_NAME not in first.tick(at(MONDAY, 0, 30))
        assert tasks.NIGHTLY_NAME in first.tick(at(MONDAY, 1, 0))
        assert tasks.NIGHTLY_NAME not in first.tick(at(MONDAY, 3, 0))
        assert tasks.NIGHTLY_NAME not in second.tick(at(MONDAY, 1, 1))  # another worker
        assert tasks.NIGHTLY_NAME in first.tick(at(MONDAY + dt.timedelta(days=1), 2, 0))
    assert [c.kwargs for c in task.enqueue.call_args_list] == [
        {"day": "2026-11-23"},
        {"day": "2026-11-24"},
    ]


def test_the_task_returns_the_customers_whose_day_has_come(org, clock, pool):
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="星河机械")
    clock(MONDAY + dt.timedelta(days=10), 1)
    tasks.pool_return_due.enqueue(day=(MONDAY + dt.timedelta(days=10)).isoformat())
    assert Customer.objects.get(pk=customer.pk).owner is None
