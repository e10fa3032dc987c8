from __future__ import annotations

from pathlib import Path

import pytest

from crm.customers.tests.factories import make_customer

CATALOGUES = [
    Path(__file__).resolve().parents[1] / "locale",
    Path(__file__).resolve().parents[2] / "locale",
]


@pytest.fixture(scope="session", autouse=True)
def compiled_web_messages():
    """Compile the .po catalogues when their .mo is missing or stale (``make`` does the same),
    so that a bare ``pytest`` sees the English pages too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from django.utils.translation import trans_real

    changed = False
    for po in (p for root in CATALOGUES for p in root.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src, mo.open("wb") as out:
            write_mo(out, read_po(src))
        changed = True
    if changed:  # forget catalogues Django may have loaded before
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]


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
