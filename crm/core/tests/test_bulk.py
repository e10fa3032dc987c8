"""``insert_rows`` writes what ``bulk_create`` would: the given values, defaults for the rest,
``auto_now_add`` stamped, JSON readable back as JSON, related fields by instance or id."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.core.bulk import insert_rows
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_rows_read_back_as_written_with_defaults_filled(org):
    user = org.rep_a
    before = timezone.now()
    written = insert_rows(
        AuditEvent,
        [
            {
                "actor": user,
                "actor_name": "张三",
                "verb": "customer.returned_to_pool",
                "object_type": "customers.customer",
                "object_id": str(n),
                "changes": {"owner": [user.pk, None]},
                "ip": "10.0.0.1" if n == 0 else None,
            }
            for n in range(3)
        ],
        batch_size=2,
    )
    assert written == 3
    rows = list(AuditEvent.objects.filter(verb="customer.returned_to_pool").order_by("id"))
    assert [r.object_id for r in rows] == ["0", "1", "2"]
    first = rows[0]
    assert first.actor_id == user.pk
    assert first.actor_name == "张三"
    assert first.changes == {"owner": [user.pk, None]}
    assert first.details == {}
    assert first.reason == ""
    assert first.request_id == ""
    assert first.ip == "10.0.0.1"
    assert rows[1].ip is None
    assert all(r.created_at >= before for r in rows)


def test_an_unknown_field_is_refused_before_anything_is_written():
    with pytest.raises((ValueError, TypeError)):
        insert_rows(AuditEvent, [{"verb": "x", "object_type": "t", "no_such_field": 1}])
    assert not AuditEvent.objects.filter(verb="x").exists()


def test_nothing_to_write():
    assert insert_rows(AuditEvent, []) == 0


def test_instances_made_by_copy_share_no_mutable_default_and_are_new():
    from crm.core.bulk import instance_maker
    from crm.imports.models import ImportJob

    make = instance_maker(ImportJob, file_name="a.xlsx", total_rows=3)
    first, second = make(), make()
    first.headers.append("姓名")
    first.mapping["0"] = "name"
    assert (second.headers, second.mapping) == ([], {})
    assert (second.file_name, second.total_rows, second.state) == ("a.xlsx", 3, "ready")
    assert second.pk is None
    assert second._state.adding
    assert first._state is not second._state
