"""Helpers of the web tests: a customer of rep_a, and customers whose follow-up is due. The
personas and ``as_user`` come from ``crm.testing``."""

from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer


@pytest.fixture
def customer_a(org):
    """A customer owned by rep_a in 销售一部."""
    return make_customer(org.rep_a, name="王建国", phone="13911112222", company="华夏汽车")


def make_due(owner, name, *, overdue_days=0, grade="H", **data):
    """An intention customer of ``owner`` whose follow-up fell due ``overdue_days`` ago (0: due
    today): graded that long before today plus the grade's cadence, without a follow-up since."""
    import datetime as dt

    from django.utils import timezone

    from crm.customers import lifecycle
    from crm.customers.models import Customer

    customer = make_customer(owner, name=name, category="intention", grade=grade, **data)
    cadence = lifecycle.cadence_table()[grade]
    graded = timezone.now() - dt.timedelta(days=cadence + overdue_days)
    Customer.objects.filter(pk=customer.pk).update(graded_at=graded)
    customer.refresh_from_db()
    lifecycle.refresh_due(customer)
    return customer
