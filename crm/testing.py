"""The test base, one of each: the personas, signing in as one of them (web session or API token),
the clock, and the English catalogue compiled before any test runs.

A pytest plugin, registered by the root ``conftest.py``; test modules import only the helpers
(``at``, ``PASSWORD``, ``Org``). It lives at the top of the ``crm`` package, beside ``demo.py``,
because it builds on the domain apps (``crm.core`` depends on none of them).

The personas: two reps in 销售一部 (rep_a, rep_b), a rep in 销售二部 (rep_c), the manager of each
department (manager, manager2), the sales director (whose head office covers both sales
departments), the front desk of 销售一部 (receptionist), a service colleague of 客服部
(service_staff), the data administrator of 客服部, the general manager and the system
administrator, all with the password ``PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import Department, User

PASSWORD = "pass-1234"
LOCALE = Path(__file__).resolve().parent / "locale"  # the one catalogue (LOCALE_PATHS)


# --- the English catalogue ------------------------------------------------------------------


def compile_catalogue() -> bool:
    """Compile each stale ``.po`` of the catalogue into its ``.mo`` (``make messages`` does the
    same), so that a bare ``pytest`` sees the English pages too. Returns whether any changed.

    The ``.mo`` is written beside and moved into place, so that a reader never sees half a file.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    changed = False
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with po.open("rb") as src, partial.open("wb") as out:
            write_mo(out, read_po(src))
        os.replace(partial, mo)
        changed = True
    return changed


def pytest_configure(config: pytest.Config) -> None:
    """Compile the catalogue once per run, before any test (and, under pytest-xdist, in the
    controller before the workers start: each worker process keeps the catalogue it loaded first,
    so one compiled by a worker mid-run left the other worker with the stale one)."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has compiled it
        return
    if compile_catalogue() and "django.utils.translation.trans_real" in sys.modules:
        from django.utils.translation import trans_real

        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked ``long`` (minutes each: the OpenAPI fuzzers, a migration there and back)
    go first, the rest in the random order pytest-randomly drew. pytest-django puts them with
    the other transactional tests after the rest, and under pytest-xdist a five-minute test
    dealt out last ran alone on one core while the other had finished. Dealt first, they run
    while the other worker works through the rest (the teardown below leaves the database as
    the next tests expect it)."""
    long = [item for item in items if item.get_closest_marker("long")]
    if long:
        items[:] = [*long, *(item for item in items if not item.get_closest_marker("long"))]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a ``long`` test, the data the migrations seed is put back. A transactional test
    ends by emptying every table (Django's TransactionTestCase), and only the next transactional
    test with ``serialized_rollback`` fills them again: the reason pytest-django runs
    transactional tests last."""
    result = yield
    if item.get_closest_marker("long"):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                seeded = getattr(connection, "_test_serialized_contents", None)
                if seeded is not None:
                    connection.creation.deserialize_db_from_string(seeded)
    return result


@pytest.fixture(autouse=True)
def back_to_the_default_language() -> Iterator[None]:
    """A request in English (Accept-Language, the language cookie) leaves English active in the
    test's thread: LocaleMiddleware activates a language and nothing deactivates it. Without
    this, every later test in the run would see English messages."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_rate_counters(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test (the browser flows' live server) commits its requests' rate-limit
    counts to crm_rate_counter, a table of its own that the flush between tests leaves alone:
    the next such test on the worker would start with them (the public complaint form allows 5
    submissions per address per window, and every browser test comes from 127.0.0.1). Emptied
    after each one."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    from django.db import connection

    from crm.core.ratelimit import COUNTER_TABLE

    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {COUNTER_TABLE}")


def distinct_world(*parts: dict[str, Any]) -> dict[str, Any]:
    """A scope matrix's world from its domains' parts, each placeholder named once: two domains
    both calling theirs {sc} (a survey call, a complaint) had one silently replace the other."""
    merged: dict[str, Any] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        assert not clash, f"world placeholders named twice: {sorted(clash)}"
        merged.update(part)
    return merged


# --- the personas ---------------------------------------------------------------------------


@dataclass
class Org:
    head_office: Department
    sales1: Department
    sales2: Department
    service: Department
    rep_a: User
    rep_b: User
    rep_c: User
    manager: User
    manager2: User
    data_admin: User
    gm: User
    sysadmin: User
    director: User
    receptionist: User
    service_staff: User


def _user(username: str, role: str, dept: Department, full_name: str) -> User:
    return accounts.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        department=dept,
        full_name=full_name,
        validate_password=False,
    )


@pytest.fixture
def org(db: None) -> Org:
    """The company: 总经理办公室 above 销售一部, 销售二部 and 客服部 (data management), and the
    personas in them."""
    head = accounts.department_ensure(name="总经理办公室")
    s1 = accounts.department_ensure(name="销售一部", parent=head)
    s2 = accounts.department_ensure(name="销售二部", parent=head)
    svc = accounts.department_ensure(name="客服部", parent=head, data_mgmt=True)
    return Org(
        head_office=head,
        sales1=s1,
        sales2=s2,
        service=svc,
        rep_a=_user("rep_a", "rep", s1, "王小明"),
        rep_b=_user("rep_b", "rep", s1, "李小红"),
        rep_c=_user("rep_c", "rep", s2, "赵大勇"),
        manager=_user("manager", "manager", s1, "陈经理"),
        manager2=_user("manager2", "manager", s2, "周经理"),
        data_admin=_user("data", "data_admin", svc, "孙数据"),
        gm=_user("gm", "gm", head, "钱总"),
        sysadmin=_user("admin", "sysadmin", head, "系统管理员"),
        director=_user("director", "director", head, "吴总监"),
        receptionist=_user("front", "receptionist", s1, "郑前台"),
        service_staff=_user("service", "service", svc, "冯客服"),
    )


SignIn = Callable[[User | None], Client]


@pytest.fixture
def as_user(client: Client) -> SignIn:
    """``as_user(user)`` signs the test client in as ``user`` (or out, with ``None``) for the web
    pages."""

    def sign_in(user: User | None) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


Call = Callable[..., Any]


@pytest.fixture
def call(client: Client, db: None) -> Call:
    """``call(actor, "GET", "customers?q=张")`` → response, with a real bearer token of
    ``actor``; ``actor=None`` is anonymous.

    ``body`` is sent as JSON, ``files`` as a multipart upload; ``lang`` sets Accept-Language.
    Paths are under ``/api/v1/``.
    """
    tokens: dict[int, str] = {}
    default_client = client

    def _call(
        actor: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        lang: str | None = None,
        token: str | None = None,
        client: Client = default_client,
        files: Any = None,
    ) -> Any:
        headers: dict[str, str] = {}
        if token is None and actor is not None:
            if actor.pk not in tokens:
                tokens[actor.pk] = accounts.token_issue(actor=actor, name="test")
            token = tokens[actor.pk]
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if lang:
            headers["HTTP_ACCEPT_LANGUAGE"] = lang
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        if isinstance(files, dict):  # a multipart upload of named fields
            kwargs = {"data": files}
        elif files is not None:  # a multipart upload: ``files`` is the form's files field
            kwargs = {"data": {"files": files}}
        return getattr(client, method.lower())(f"/api/v1/{path}", **kwargs, **headers)

    return _call


# --- the clock ------------------------------------------------------------------------------


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute`` in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Clock:
    """``clock(day, hour=10, minute=0)`` (or ``clock(moment)``) sets the time every service sees
    (``django.utils.timezone.now``, which ``timezone.localdate()`` reads too) until it is set
    again or the test ends."""

    def __init__(self) -> None:
        self._patcher: Any = None

    def __call__(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        moment = day if isinstance(day, dt.datetime) else at(day, hour, minute)
        self.stop()
        self._patcher = mock.patch("django.utils.timezone.now", return_value=moment)
        self._patcher.start()
        return moment

    def stop(self) -> None:
        if self._patcher is not None:
            self._patcher.stop()
            self._patcher = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The time under the test's control: ``clock(MONDAY, 9)``. Real time until first set."""
    controlled = Clock()
    yield controlled
    controlled.stop()


# --- a rep's defeat as a showroom runs it ----------------------------------------------------


def approved(outcome: Any) -> Any:
    """A pending request (a rep's 战败申请) decided as the showroom does: approved by someone
    allowed to (the department's manager). Returns what the approval made (the lifecycle event);
    anything else is returned as it is."""
    from crm.customers.models import LifecycleEvent
    from crm.governance import approvals
    from crm.governance.models import ApprovalRequest

    if not isinstance(outcome, ApprovalRequest):
        return outcome
    decided = outcome
    while decided.state == "pending":  # each step of its chain, in order
        decider = approvals.deciders(decided)[0]
        decided = approvals.approval_decide(actor=decider, request_id=outcome.pk, approve=True)
    assert decided.state == "approved", decided.decision_note
    return LifecycleEvent.objects.filter(customer_id=outcome.subject_id).latest("id")


def tiny_png(name: str = "名片.png") -> Any:
    """A real 1×1 PNG upload (a photo of a business card, as far as the tests are concerned)."""
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile

    data = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    return SimpleUploadedFile(name, data, content_type="image/png")
