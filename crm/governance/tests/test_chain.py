"""The audit log's hash chain: sealing, and ``crm audit verify`` finding each kind of tampering
where it happened. Tampering is done with raw SQL, as someone with access to the database would
(on PostgreSQL with the append-only trigger switched off, as the table's owner could)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from crm.accounts.models import User
from crm.activities import tasks as activities_tasks
from crm.governance import audit, chain
from crm.governance.models import AuditEvent
from crm.testing import at

pytestmark = pytest.mark.django_db

T = chain.TABLE
pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL only"
)


def write(n: int, actor: Any = None) -> list[AuditEvent]:
    return [
        audit.record(
            actor=actor,
            verb="customer.viewed",
            object_type="customers.customer",
            details={"q": f"张{i}", "rows": i},
            reason=f"第{i}次",
        )
        for i in range(n)
    ]


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


@contextmanager
def tampering() -> Iterator[None]:
    """Raw writes behind the model's back; on PostgreSQL with triggers off, as a superuser can
    (for the test's transaction only)."""
    if connection.vendor == "postgresql":
        sql("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            sql("SET LOCAL session_replication_role = origin")


def at_position(position: int) -> AuditEvent:
    return AuditEvent.objects.get(chain_seq=position)


def kinds(report: chain.Report) -> list[tuple[str, int, int | None]]:
    return [(b.kind, b.position, b.entry_id) for b in report.breaks]


@pytest.fixture
def sealed(org: Any) -> list[AuditEvent]:
    write(6, actor=org.rep_a)
    chain.seal()
    return list(AuditEvent.objects.order_by("chain_seq"))


def test_sealing_gives_every_entry_a_position_in_id_order(sealed):
    assert [e.chain_seq for e in sealed] == list(range(1, len(sealed) + 1))
    assert [e.pk for e in sealed] == sorted(e.pk for e in sealed)
    assert all(e.chain_hash is not None and len(bytes(e.chain_hash)) == 32 for e in sealed)
    report = chain.verify()
    assert report.ok
    assert report.checked == len(sealed)
    assert report.head_position == len(sealed)
    assert report.head_hash == bytes(sealed[-1].chain_hash)


def test_sealing_is_idempotent(sealed):
    before = list(AuditEvent.objects.order_by("id").values_list("id", "chain_seq", "chain_hash"))
    assert chain.seal() == 0
    assert chain.seal() == 0
    after = list(AuditEvent.objects.order_by("id").values_list("id", "chain_seq", "chain_hash"))
    assert [(i, s, bytes(h or b"")) for i, s, h in after] == [
        (i, s, bytes(h or b"")) for i, s, h in before
    ]
    # new entries continue the chain
    write(2)
    assert chain.seal() == 2
    assert chain.verify().ok


def test_a_changed_field_is_found_at_its_entry(sealed):
    victim = at_position(3)
    with tampering():
        sql(f"UPDATE {T} SET reason = %s WHERE id = %s", ["改过的", victim.pk])

    report = chain.verify()

    assert kinds(report) == [(chain.CHANGED, 3, victim.pk)]
    assert str(victim.pk) in report.breaks[0].describe()


def test_a_changed_json_detail_is_found(sealed):
    victim = at_position(5)
    with tampering():
        sql(f"UPDATE {T} SET details = %s WHERE id = %s", ['{"q": "李", "rows": 4}', victim.pk])
    assert kinds(chain.verify()) == [(chain.CHANGED, 5, victim.pk)]


def test_a_removed_entry_is_found_as_a_gap(sealed):
    with tampering():
        sql(f"DELETE FROM {T} WHERE chain_seq = 4")

    report = chain.verify()

    assert kinds(report) == [(chain.REMOVED, 4, None)]
    assert report.checked == len(sealed) - 1
    assert "4" in report.breaks[0].describe()


def test_removing_the_first_entries_is_found(sealed):
    with tampering():
        sql(f"DELETE FROM {T} WHERE chain_seq IN (1, 2)")
    report = chain.verify()
    assert kinds(report) == [(chain.REMOVED, 1, None)]
    assert report.breaks[0].note == "2"


def test_two_swapped_entries_are_found_as_reordered(sealed):
    third, fourth = at_position(3), at_position(4)
    with tampering():  # the two entries exchange places, each with its own seal
        sql(f"UPDATE {T} SET chain_seq = -1 WHERE id = %s", [third.pk])
        sql(f"UPDATE {T} SET chain_seq = 3 WHERE id = %s", [fourth.pk])
        sql(f"UPDATE {T} SET chain_seq = 4 WHERE id = %s", [third.pk])

    report = chain.verify()

    assert kinds(report) == [(chain.REORDERED, 3, fourth.pk), (chain.REORDERED, 4, third.pk)]


def _make_room_at(position: int) -> None:
    """Shift every entry from ``position`` one place up, as a forger inserting there would."""
    sql(f"UPDATE {T} SET chain_seq = -chain_seq - 1 WHERE chain_seq >= %s", [position])
    sql(f"UPDATE {T} SET chain_seq = -chain_seq WHERE chain_seq < 0")


def _forge(position: int, chain_hash: bytes) -> int:
    forged = audit.record(actor=None, verb="customer.exported", object_type="customers.customer")
    sql(
        f"UPDATE {T} SET chain_seq = %s, chain_hash = %s WHERE id = %s",
        [position, chain_hash, forged.pk],
    )
    return forged.pk


def test_an_inserted_forged_entry_is_found(sealed):
    with tampering():
        _make_room_at(3)
        forged = _forge(3, b"\x01" * 32)

    report = chain.verify()

    assert kinds(report) == [(chain.INSERTED, 3, forged)]


def test_a_forged_entry_with_a_correct_link_is_still_found(sealed):
    # the forger knows the algorithm and links the new entry correctly to the one before it;
    # the entry after it was sealed after another one and gives it away
    previous = bytes(at_position(2).chain_hash or b"")
    with tampering():
        _make_room_at(3)
        forged = _forge(3, b"\x00" * 32)
        content = chain._window_rows(3, 3)[0].content
        sql(
            f"UPDATE {T} SET chain_hash = %s WHERE id = %s", [chain.link(previous, content), forged]
        )

    assert kinds(chain.verify()) == [(chain.INSERTED, 3, forged)]


def test_entries_written_out_of_id_order_seal_in_commit_order(org):
    # a transaction that took its id early commits after later ids were sealed
    first = audit.record(actor=None, verb="a", object_type="x")
    AuditEvent.objects.bulk_create([AuditEvent(pk=first.pk + 100, verb="b", object_type="x")])
    sealed = chain.seal()
    AuditEvent.objects.bulk_create([AuditEvent(pk=first.pk + 50, verb="c", object_type="x")])

    assert chain.seal() == 1

    assert at_position(sealed + 1).pk == first.pk + 50
    assert at_position(sealed).pk == first.pk + 100
    assert chain.verify().ok


def test_deleting_a_user_keeps_the_chain_intact(org):
    leaver = User.objects.create_user(username="leaver", password="x" * 12)
    write(3, actor=leaver)
    chain.seal()

    theirs = list(AuditEvent.objects.filter(actor=leaver).values_list("pk", flat=True))

    leaver.delete()  # Django sets actor_id NULL (allowed by the trigger); actor_name stays

    assert len(theirs) == 3
    assert not AuditEvent.objects.filter(pk__in=theirs, actor__isnull=False).exists()
    assert chain.verify().ok


def test_the_command_reports_count_and_time_and_fails_on_a_break(sealed):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"{len(sealed):,} 条" in out.getvalue()
    assert "秒" in out.getvalue()

    with tampering():
        sql(f"UPDATE {T} SET verb = 'customer.created' WHERE chain_seq = 2")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"编号 {at_position(2).pk}" in err.getvalue()


def test_the_command_seals(org):
    write(4)
    pending = AuditEvent.objects.filter(chain_seq__isnull=True).count()
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert f"已封存 {pending} 条" in out.getvalue()
    assert not AuditEvent.objects.filter(chain_seq__isnull=True).exists()


def test_the_scheduler_seals_every_minute(org, monkeypatch):
    monkeypatch.setattr(activities_tasks, "_DAILY", {})  # other domains' daily jobs
    monday = dt.date(2026, 11, 23)
    write(2)
    scheduler = activities_tasks.Scheduler(digest_hour=23)
    scheduler.tick(at(monday, 9, 0))
    assert not AuditEvent.objects.filter(chain_seq__isnull=True).exists()
    write(1)
    scheduler.tick(at(monday, 9, 0))  # the same minute: not again
    assert AuditEvent.objects.filter(chain_seq__isnull=True).count() == 1
    scheduler.tick(at(monday, 9, 1))
    assert not AuditEvent.objects.filter(chain_seq__isnull=True).exists()


# --- PostgreSQL: the table refuses changes itself ---------------------------------------------


@pg_only
def test_the_database_refuses_update_and_delete(sealed):
    victim = sealed[2]
    for statement, params in [
        (f"UPDATE {T} SET reason = 'x' WHERE id = %s", [victim.pk]),
        (f"DELETE FROM {T} WHERE id = %s", [victim.pk]),
        # a sealed entry's seal is written once
        (f"UPDATE {T} SET chain_hash = %s WHERE id = %s", [b"\x00" * 32, victim.pk]),
        (f"UPDATE {T} SET chain_seq = 99 WHERE id = %s", [victim.pk]),
        # an unsealed entry may only be sealed, not changed on the way
        (
            f"INSERT INTO {T} (created_at, actor_name, verb, object_type, object_id, object_repr, "
            "changes, details, reason, request_id, job_id, chain_seq, chain_hash) VALUES (now(), "
            "'', 'x', 'x', '', '', '{}', '{}', '', '', '', 1000, '\\x00')",
            [],
        ),
    ]:
        with pytest.raises(DatabaseError, match="audit"), transaction.atomic():
            sql(statement, params)
    assert AuditEvent.objects.get(pk=victim.pk).reason == victim.reason
    assert chain.verify().ok


@pg_only
def test_the_database_refuses_changing_an_entry_while_sealing_it(org):
    (entry,) = write(1)
    with pytest.raises(DatabaseError, match="audit"), transaction.atomic():
        sql(
            f"UPDATE {T} SET chain_seq = 1, chain_hash = %s, reason = 'x' WHERE id = %s",
            [b"\x00" * 32, entry.pk],
        )


@pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_and_sealers_build_one_chain(org):
    start = chain.seal()  # the personas' entries
    # given a long transaction that wrote an entry and has not committed
    holding, release = threading.Event(), threading.Event()
    held: list[int] = []

    def long_transaction() -> None:
        try:
            with transaction.atomic():
                held.append(write(1)[0].pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=long_transaction)
    worker.start()
    assert holding.wait(10)
    # when later entries commit and two sealers run at once
    later = write(3)
    results: list[int] = []

    def sealer() -> None:
        try:
            results.append(chain.seal())
        finally:
            connection.close()

    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    for t in sealers:
        t.start()
    for t in sealers:
        t.join()
    # then the committed ones are sealed once, the uncommitted one waits
    assert sorted(results) == [0, 3]
    assert list(
        AuditEvent.objects.filter(chain_seq__isnull=False)
        .order_by("chain_seq")
        .values_list("pk", flat=True)
    )[start:] == [e.pk for e in later]
    release.set()
    worker.join()
    # and the early id, committed last, is sealed after them
    assert chain.seal() == 1
    assert AuditEvent.objects.get(pk=held[0]).chain_seq == start + 4
    assert held[0] < later[0].pk
    assert chain.verify(jobs=2).ok
