from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_log_is_append_only(org):
    make_customer(org.rep_a, name="张三")
    event = AuditEvent.objects.first()
    assert event is not None
    event.verb = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "customer.created"
