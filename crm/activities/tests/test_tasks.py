"""Background work: the daily digest e-mail (每日提醒), missed plans, and the scheduler that
``crm worker`` runs — with the clock set by the test, never by sleeping."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation

from crm.activities import services, tasks
from crm.activities.models import DailyRun, Notification, Plan
from crm.customers import lifecycle
from crm.customers.tests.factories import make_customer
from crm.testing import at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def with_email(user, address: str):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def workday(org, clock):
    """rep_a's Thursday: 赵总 (A) overdue two days, 钱先生 (H) due today, a visit at 15:00 and a
    callback at 10:00 of a deal closed on Wednesday."""
    with_email(org.rep_a, "rep_a@example.com")
    thursday = MONDAY + dt.timedelta(days=3)
    clock(MONDAY - dt.timedelta(days=6))
    make_customer(org.rep_a, name="赵总", phone="13912345678", category="intention", grade="A")
    clock(MONDAY + dt.timedelta(days=1))
    make_customer(org.rep_a, name="钱先生", category="intention", grade="H")
    sun = make_customer(org.rep_a, name="孙女士", category="intention", grade="O")
    clock(MONDAY + dt.timedelta(days=2))
    lifecycle.customer_transition(
        actor=org.rep_a,
        customer_id=sun.pk,
        version=sun.version,
        to="retained",
        deal_on=MONDAY + dt.timedelta(days=2),
    )
    zhou = make_customer(org.rep_a, name="周先生")
    services.plan_create(
        actor=org.rep_a,
        customer_id=zhou.pk,
        data={"method": "visit", "planned_at": at(thursday, 15), "content": "送报价单"},
    )
    make_customer(org.rep_b, name="别人的", category="intention", grade="H")
    clock(thursday, 7)
    return thursday


# --- the digest -----------------------------------------------------------------------------


def test_the_digest_lists_overdue_and_due_customers_and_the_days_plans(org, workday):
    # when the daily digests are sent on Thursday morning
    tasks.send_daily_digests.enqueue(day=workday.isoformat())

    # then rep_a (the only one with an e-mail address) gets one e-mail in Chinese
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rep_a@example.com"]
    assert message.subject == "【客户管理系统】2026-11-26 今日工作提醒"
    body = message.body
    assert body.startswith("王小明，您好：")
    assert "【逾期未跟进】1 位客户\n  · 赵总（A级，应于 2026-11-24 跟进，已逾期 2 天）" in body
    # a plan or callback today makes the customer due today too
    assert "【今日应跟进】3 位客户\n  · 钱先生（H级）\n  · 孙女士\n  · 周先生\n" in body
    assert "【今日计划】1 项\n  · 15:00 拜访 周先生：送报价单" in body
    assert "【今日回访】1 项\n  · 10:00 电话 孙女士：成交后第 1 天回访" in body
    assert "打开今日工作：http://127.0.0.1:8000/today/" in body
    # names only: no phone number leaves the system, nor other reps' customers
    assert "13912345678" not in body
    assert "别人的" not in body


def test_the_digest_is_also_an_in_app_notification(org, workday):
    tasks.send_daily_digest.enqueue(user_id=org.rep_a.pk, day=workday.isoformat())
    note = Notification.objects.get(user=org.rep_a, kind="daily_digest")
    assert note.title == "今日工作：逾期 1 位，应跟进 3 位，计划 2 项"
    assert note.body == "赵总、钱先生、孙女士、周先生"
    assert note.url == "/today/"


def test_a_rep_without_an_address_still_gets_the_notification(org, workday):
    with_email(org.rep_a, "")
    assert services.daily_digest_send(user=org.rep_a, today=workday) is True
    assert mail.outbox == []
    assert Notification.objects.filter(user=org.rep_a, kind="daily_digest").count() == 1


def test_the_digest_goes_out_once_per_day(org, workday, clock):
    tasks.send_daily_digests.enqueue(day=workday.isoformat())
    tasks.send_daily_digests.enqueue(day=workday.isoformat())
    assert len(mail.outbox) == 1
    # the next day is another digest
    clock(workday + dt.timedelta(days=1), 7)
    tasks.send_daily_digests.enqueue(day=(workday + dt.timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 2


def test_nothing_to_do_means_no_digest(org, clock):
    with_email(org.rep_b, "rep_b@example.com")
    clock(MONDAY, 7)
    make_customer(org.rep_b, name="新客户")  # potential: not due
    assert services.daily_digest_send(user=org.rep_b, today=MONDAY) is False
    assert mail.outbox == []
    assert not Notification.objects.filter(user=org.rep_b).exists()
    assert not DailyRun.objects.exists()  # nothing claimed: a later plan could still be sent


def test_the_managers_digest_counts_the_departments_overdue_customers(org, workday):
    with_email(org.manager, "manager@example.com")
    assert services.daily_digest_send(user=org.manager, today=workday) is True
    body = mail.outbox[0].body
    assert "【部门逾期客户】\n  · 王小明：1 位" in body
    assert "赵总" not in body  # the rep's customers are the rep's digest


def test_the_digest_is_chinese_whatever_the_language_of_the_caller(org, workday):
    with translation.override("en"):
        services.daily_digest_send(user=org.rep_a, today=workday)
    assert mail.outbox[0].subject == "【客户管理系统】2026-11-26 今日工作提醒"


def test_deactivated_users_get_no_digest(org, workday):
    from crm.accounts import services as accounts

    accounts.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=False)
    assert tasks.send_daily_digest.enqueue(user_id=org.rep_a.pk, day=workday.isoformat())
    assert mail.outbox == []


# --- missed plans ---------------------------------------------------------------------------


def test_mark_missed_plans_task_marks_and_tells(org, clock):
    clock(MONDAY, 9)
    c = make_customer(org.rep_a, name="褚先生")
    services.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "phone", "planned_at": at(MONDAY, 15)}
    )
    clock(MONDAY + dt.timedelta(days=1), 16)
    result = tasks.mark_missed_plans.enqueue()
    assert result.return_value == 1
    assert Plan.objects.get().status == "missed"
    assert Notification.objects.get(user=org.rep_a).title == "1 个跟进计划已逾期"


# --- the scheduler --------------------------------------------------------------------------


@pytest.fixture
def enqueued():
    """Record what the scheduler enqueues instead of running it."""
    calls: list[tuple[str, dict[str, str]]] = []
    missed, digests, stats = mock.Mock(), mock.Mock(), mock.Mock()
    missed.enqueue.side_effect = lambda **kw: calls.append(("missed", kw))
    digests.enqueue.side_effect = lambda **kw: calls.append(("digests", kw))
    stats.enqueue.side_effect = lambda **kw: calls.append(("statistics", kw))
    with (
        mock.patch.object(tasks, "mark_missed_plans", missed),
        mock.patch.object(tasks, "send_daily_digests", digests),
        mock.patch.object(tasks, "refresh_statistics", stats),
        mock.patch.dict(tasks._DAILY, clear=True),  # other domains' jobs have their own tests
    ):
        yield calls


def test_the_digest_is_enqueued_at_the_configured_hour_once(db, enqueued):
    scheduler = tasks.Scheduler(digest_hour=7)
    assert scheduler.tick(at(MONDAY, 6, 59)) == ["mark_missed_plans"]
    assert scheduler.tick(at(MONDAY, 7, 0)) == [
        "mark_missed_plans",
        "send_daily_digests",
        "refresh_statistics",
    ]
    assert scheduler.tick(at(MONDAY, 7, 1)) == []
    assert scheduler.tick(at(MONDAY, 12, 0)) == ["mark_missed_plans"]
    assert ("digests", {"day": "2026-11-23"}) in enqueued
    # the next morning: before the hour nothing, at the hour the next digest
    assert scheduler.tick(at(MONDAY + dt.timedelta(days=1), 6, 0)) == ["mark_missed_plans"]
    assert "send_daily_digests" in scheduler.tick(at(MONDAY + dt.timedelta(days=1), 7, 2))
    assert [kw for name, kw in enqueued if name == "digests"] == [
        {"day": "2026-11-23"},
        {"day": "2026-11-24"},
    ]


def test_missed_plans_are_looked_for_every_five_minutes(db, enqueued):
    scheduler = tasks.Scheduler(digest_hour=23)
    moments = [at(MONDAY, 9, m) for m in (0, 1, 4, 5, 9, 10, 31)]
    ran = [bool(scheduler.tick(moment)) for moment in moments]
    assert ran == [True, False, False, True, False, True, True]


def test_several_workers_enqueue_each_job_once(db, enqueued):
    # given three worker processes, each with its scheduler, ticking at nearly the same time
    workers = [tasks.Scheduler(digest_hour=7) for _ in range(3)]

    # when each looks at the clock at 07:00:10, :20 and :30
    done = [
        w.tick(at(MONDAY, 7) + dt.timedelta(seconds=10 * (i + 1))) for i, w in enumerate(workers)
    ]

    # then one enqueued both jobs and the others nothing
    assert done == [["mark_missed_plans", "send_daily_digests", "refresh_statistics"], [], []]
    assert len(enqueued) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_racing_for_a_slot_enqueue_it_once(enqueued):
    """Several `crm serve` (each with its scheduler) on one PostgreSQL database: two ticks at
    the same moment, each on its own connection, the first still inside its transaction when
    the second claims. The unique DailyRun row makes the second wait, then skip."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the claims cannot overlap there")
    inside = threading.Event()
    missed: Any = tasks.mark_missed_plans  # the fixture's mock
    record = missed.enqueue.side_effect

    def enqueue_slowly(**kw):  # the first claimant holds its transaction open a while
        record(**kw)
        inside.set()
        time.sleep(0.5)

    missed.enqueue.side_effect = enqueue_slowly
    done: list[list[str]] = []

    def process(wait_for_the_other: bool) -> None:
        try:
            if wait_for_the_other:
                assert inside.wait(10)
            done.append(tasks.Scheduler(digest_hour=23).tick(at(MONDAY, 9, 0)))
        finally:
            connection.close()

    first = threading.Thread(target=process, args=(False,))
    second = threading.Thread(target=process, args=(True,))
    first.start()
    second.start()
    first.join(20)
    second.join(20)

    assert sorted(done, key=len) == [[], ["mark_missed_plans"]]
    assert [name for name, _ in enqueued] == ["missed"]
    assert DailyRun.objects.count() == 1


def test_a_worker_started_after_the_hour_still_sends_todays_digest_once(db, enqueued):
    late = tasks.Scheduler(digest_hour=7)
    assert "send_daily_digests" in late.tick(at(MONDAY, 15))
    restarted = tasks.Scheduler(digest_hour=7)
    assert "send_daily_digests" not in restarted.tick(at(MONDAY, 16))


def test_the_hour_is_a_setting_in_local_time(db, enqueued):
    with override_settings(CRM_DIGEST_HOUR=9):
        scheduler = tasks.Scheduler()
    assert scheduler.digest_hour == 9
    # 00:30 UTC is 08:30 in Beijing: not yet; 01:00 UTC is 09:00: now
    assert "send_daily_digests" not in scheduler.tick(
        dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)
    )
    assert "send_daily_digests" in scheduler.tick(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC))


def test_old_marks_are_forgotten_after_a_week(db, enqueued):
    scheduler = tasks.Scheduler(digest_hour=7)
    scheduler.tick(at(MONDAY, 8))
    later = MONDAY + dt.timedelta(days=8)
    scheduler.tick(at(later, 8))
    assert {r.day for r in DailyRun.objects.all()} == {later}


def test_the_scheduler_enqueues_real_tasks(org, clock):
    # given rep_a's plan missed yesterday and an e-mail address
    with_email(org.rep_a, "rep_a@example.com")
    clock(MONDAY, 8)
    c = make_customer(org.rep_a, name="卫先生")
    services.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "phone", "planned_at": at(MONDAY, 9)}
    )
    # when the scheduler ticks at 07:00 the next day but one (tasks run at once in tests)
    clock(MONDAY + dt.timedelta(days=2), 7)
    tasks.Scheduler(digest_hour=7).tick(at(MONDAY + dt.timedelta(days=2), 7))
    # then the plan is missed and the digest says so
    assert Plan.objects.get().status == "missed"
    assert "逾期 11-23 09:00 电话 卫先生" in mail.outbox[0].body


def test_the_scheduler_loop_survives_an_error_and_stops_when_told(db):
    stop = threading.Event()
    seen: list[dt.datetime] = []

    class Flaky(tasks.Scheduler):
        def tick(self, now=None):
            seen.append(now)
            if len(seen) == 1:
                raise RuntimeError("database restarting")
            stop.set()
            return []

    tasks.run_scheduler(stop, scheduler=Flaky(), interval=0, clock=lambda: at(MONDAY))
    assert seen == [at(MONDAY), at(MONDAY)]


# --- crm worker -----------------------------------------------------------------------------


def test_crm_worker_runs_queued_tasks(org, clock):
    from django_tasks_db.models import DBTaskResult

    # given a plan past its grace period and the database task backend
    clock(MONDAY, 8)
    c = make_customer(org.rep_a, name="蒋先生")
    services.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "phone", "planned_at": at(MONDAY, 9)}
    )
    clock(MONDAY + dt.timedelta(days=2), 10)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        tasks.mark_missed_plans.enqueue()
        assert Plan.objects.get().status == "planned"

        # when a worker runs what is queued and stops (keeping the test's connection open:
        # inside the test transaction Django would take it for a broken one)
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    # then the task ran
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Plan.objects.get().status == "missed"


def test_crm_worker_starts_the_scheduler_thread_unless_told_not_to(db):
    from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

    from crm.core.management.commands import worker

    started: list[dict[str, Any]] = []

    def thread(**kwargs: Any) -> mock.Mock:
        started.append(kwargs)
        return mock.Mock()

    with (
        override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}),
        mock.patch.object(worker, "Thread", side_effect=thread),
        mock.patch.object(DbWorkerCommand, "handle", return_value=None),
    ):
        call_command("worker", "--no-reload", "--scheduler-interval", "5", verbosity=0)
        call_command("worker", "--no-reload", "--no-scheduler", verbosity=0)
        call_command("worker", "--no-reload", "--batch", verbosity=0)
    assert len(started) == 1
    assert started[0]["kwargs"]["interval"] == 5.0
    assert started[0]["daemon"] is True


def test_statistics_are_refreshed_on_sqlite_and_left_to_autovacuum_on_postgresql(db):
    from django.db import connection

    from crm.core.tasks import refresh_statistics

    result = refresh_statistics.call()
    assert result == ("analyzed" if connection.vendor == "sqlite" else "skipped")
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM sqlite_stat1")
            assert cur.fetchone()[0] > 0
