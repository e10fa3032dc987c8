from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer


@pytest.fixture
def as_user(client):
    """``as_user(user)`` signs the test client in as ``user`` (or out, with ``None``)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def customer_a(org):
    """A customer owned by rep_a in 销售一部."""
    return make_customer(org.rep_a, name="王建国", phone="13911112222", company="华夏汽车")
