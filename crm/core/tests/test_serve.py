"""``crm serve`` (what ``make run`` starts) is the whole application in one process: the web
server and the background work (the task loop and the scheduler), stopped together by Ctrl+C or
SIGTERM; ``--no-worker`` leaves the background work to ``crm worker``.

The end-to-end tests start the real command in a process of its own, on a free port, over the
suite's database (on SQLite a copy of it, since the test database lives in memory), and use it
as a browser and an API client would: no call into the server's code.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.core.management import background
from crm.core.management.commands import serve as serve_command
from crm.customers import lifecycle
from crm.customers.models import Customer, GradePolicy
from crm.customers.tests.factories import make_customer

ROOT = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 30.0


class Served:
    """A running ``crm serve`` process and what it printed."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc, self.log = proc, log
        found = _wait(lambda: re.search(r"http://127\.0\.0\.1:(\d+)/", self.console()))
        assert found, f"no address in the banner:\n{self.console()}"
        self.url = f"http://127.0.0.1:{found.group(1)}"

    def console(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def browser(self, session: str) -> Browser:
        return Browser(self.url, session)

    def api(self, token: str, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.url}/api/v1/{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self, signum: int) -> int:
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=WAIT_SECONDS)


class Browser:
    def __init__(self, url: str, session: str) -> None:
        self.url = url
        jar = http.cookiejar.CookieJar()
        jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def open(self, path: str, form: dict[str, Any] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(f"{self.url}{path}", data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def session_of(user: User) -> str:
    """A session of ``user``, made before the server starts (it shares the database, or a copy
    made at its start, and the secret key)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True,
        None, None, {},
    )  # fmt: skip


def _wait(probe: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    return None


def _database_env(data_dir: Path) -> dict[str, str]:
    """Where the server finds the suite's database: the test database itself on PostgreSQL,
    a copy of the in-memory one in the data folder on SQLite."""
    db = connection.settings_dict
    # the suite's keyring: the rows it wrote are encrypted with it (ADR 0009), and with
    # DATABASE_URL a server without a key refuses to start
    keys = {"CRM_ENCRYPTION_KEY": settings.CRM_ENCRYPTION_KEY}
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        return {"DATABASE_URL": url, **keys}
    connection.ensure_connection()
    target = sqlite3.connect(data_dir / "crm.sqlite3")
    connection.connection.backup(target)
    target.close()
    return keys


@pytest.fixture
def serve(transactional_db: None, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve(*options)`` starts ``crm serve --port 0`` over what the test has committed so
    far, and waits for its banner; the process is killed at the end if still running."""
    started: list[Served] = []

    def start(*options: str) -> Served:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "CRM_TEST_DB_NAME", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.prod",
            CRM_DATA_DIR=str(tmp_path),
            SECRET_KEY=settings.SECRET_KEY,
            PYTHONUNBUFFERED="1",
            **_database_env(tmp_path),
        )
        log = tmp_path / "console.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "crm.cli", "serve", "--port", "0", *options],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        served = Served(proc, log)
        started.append(served)
        return served

    yield start
    for served in started:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()


def _grade_form(csrf: str, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"csrfmiddlewaretoken": csrf}
    for p in GradePolicy.objects.all():
        form[f"{p.grade}-description"] = p.description
        form[f"{p.grade}-cadence_days"] = p.cadence_days
        form[f"{p.grade}-deal_within_days"] = p.deal_within_days or ""
    form.update(changes)
    return form


live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@live
def test_a_grade_table_change_made_in_the_web_is_applied_while_crm_serve_runs(org, serve):
    # given rep_a's grade-A customer, graded three days ago: due in four days (A: every 7 days)
    customer = make_customer(org.rep_a, name="孔先生", category="intention", grade="A")
    Customer.objects.filter(pk=customer.pk).update(graded_at=timezone.now() - dt.timedelta(days=3))
    customer.refresh_from_db()
    lifecycle.refresh_due(customer)
    today = timezone.localdate()
    assert customer.next_due_on == today + dt.timedelta(days=4)
    rep_token = accounts.token_issue(actor=org.rep_a, name="phone")
    gm_session = session_of(org.gm)

    # and the application started as `make run` starts it: `crm serve`, nothing else
    server = serve()
    gm = server.browser(gm_session)

    # when the general manager follows grade A up every three days, on the grade-table page
    status, page = gm.open("/settings/grades/")
    assert status == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    status, page = gm.open("/settings/grades/", _grade_form(csrf.group(1), **{"A-cadence_days": 3}))
    assert status == 200
    assert "A 级客户的下次跟进日期正在后台重新计算" in page

    # then, with no other command run, 孔先生 falls due today on rep_a's list
    def due_today() -> list[str]:
        return [c["name"] for c in server.api(rep_token, "due?which=today")["items"]]

    assert _wait(lambda: "孔先生" in due_today()), server.console()

    # and SIGTERM (systemd, docker stop) stops the server and its background work cleanly
    assert server.stop(signal.SIGTERM) == 0, server.console()
    assert "已停止 / stopped" in server.console()


@live
def test_an_ordinary_403_or_404_is_one_line_in_the_server_console(org, serve):
    rep_session = session_of(org.rep_a)
    server = serve()
    rep = server.browser(rep_session)

    assert rep.open("/settings/grades/")[0] == 403  # the grade table is not a rep's
    assert rep.open("/customers/999999/")[0] == 404

    assert server.stop(signal.SIGINT) == 0  # Ctrl+C
    console = server.console()
    assert "Forbidden (Permission denied): /settings/grades/" in console
    assert "Not Found: /customers/999999/" in console
    assert "Traceback" not in console, console


def test_crm_serve_runs_the_background_work_unless_told_not_to(db):
    out = io.StringIO()
    with (
        mock.patch("waitress.create_server") as create_server,
        mock.patch.object(serve_command, "BackgroundWork") as work,
    ):
        create_server.return_value.effective_port = 8123
        call_command("serve", stdout=out)
        call_command("serve", "--no-worker", stdout=out)

    # the default starts the background work before serving and stops it after
    assert work.call_count == 1
    work.return_value.start.assert_called_once_with()
    work.return_value.stop.assert_called_once()
    assert create_server.return_value.run.call_count == 2
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert "后台任务：在本进程运行" in text
    assert "后台任务：未在本进程运行，请另行运行 crm worker" in text


class FakeWorker:
    """django-tasks' Worker, without a database: runs until ``running`` is cleared; the first
    one made fails at once, as when the database is restarting."""

    made: ClassVar[list[FakeWorker]] = []
    busy_for = 0.0  # seconds a task keeps it past stop()

    def __init__(self, **options: Any) -> None:
        self.running = True
        self.options = options
        self.runs = 0
        FakeWorker.made.append(self)

    def run(self) -> None:
        self.runs += 1
        if self.runs == 1:
            raise OperationalError("server closed the connection unexpectedly")
        while self.running:
            time.sleep(0.01)
        time.sleep(self.busy_for)


@pytest.fixture
def fake_loops(monkeypatch):
    """The background work with a fake task loop and a scheduler that waits to be stopped."""
    FakeWorker.made = []
    FakeWorker.busy_for = 0.0
    scheduler_ended = threading.Event()

    def run_scheduler(stop: threading.Event, **kwargs: Any) -> None:
        stop.wait()
        scheduler_ended.set()

    monkeypatch.setattr(background, "Worker", FakeWorker)
    monkeypatch.setattr(background, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(background, "runs_database_tasks", lambda: True)
    monkeypatch.setattr("crm.activities.tasks.run_scheduler", run_scheduler)
    return scheduler_ended


def test_the_background_work_survives_a_failed_loop_and_stops_when_told(fake_loops):
    work = background.BackgroundWork()
    work.start()
    assert _wait(lambda: FakeWorker.made and FakeWorker.made[0].runs == 2, seconds=5)
    assert work.running
    worker = FakeWorker.made[0]
    assert worker.options["startup_delay"] is False
    assert worker.options["worker_id"].startswith("serve-")

    assert work.stop(timeout=5) is True  # both threads ended
    assert not work.running
    assert fake_loops.is_set()
    assert worker.running is False


def test_a_task_still_running_after_the_timeout_is_reported(fake_loops):
    FakeWorker.busy_for = 1.0
    work = background.BackgroundWork(scheduler=False)
    work.start()
    assert _wait(lambda: FakeWorker.made and FakeWorker.made[0].runs == 2, seconds=5)
    assert work.stop(timeout=0.1) is False
    assert work.stop(timeout=5) is True
