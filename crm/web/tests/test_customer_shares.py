"""客户共享 on the pages: the owner shares a customer from its page and revokes it; the colleague
finds it under 共享给我的, and the page tells them it is read-only (no edit buttons)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.customers import shares
from crm.customers.models import CustomerShare
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def soon(days: int = 7) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def wang(org):
    return make_customer(org.rep_a, name="王先生")


def test_the_owner_shares_from_the_customer_page_and_revokes(as_user, org, wang):
    client = as_user(org.rep_a)
    page = client.get(reverse("web:customer_detail", args=[wang.pk])).content.decode()
    assert 'id="shares"' in page
    assert "共享给同事" in page
    response = client.post(
        reverse("web:customer_share", args=[wang.pk]),
        {"user": org.rep_c.pk, "mode": "read", "until": soon()},
        follow=True,
    )
    body = response.content.decode()
    assert "已共享给 赵大勇" in body
    share = CustomerShare.objects.get()
    assert (share.user, share.mode) == (org.rep_c, "read")
    client.post(reverse("web:customer_unshare", args=[wang.pk, share.pk]))
    assert not CustomerShare.objects.exists()
    written = AuditEvent.objects.filter(verb__in=["customer.shared", "customer.unshared"])
    assert list(written.values_list("verb", "actor")) == [
        ("customer.unshared", org.rep_a.pk),
        ("customer.shared", org.rep_a.pk),
    ]


def test_a_date_in_the_past_is_refused_on_the_page(as_user, org, wang):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = as_user(org.rep_a).post(
        reverse("web:customer_share", args=[wang.pk]),
        {"user": org.rep_c.pk, "mode": "read", "until": yesterday},
        follow=True,
    )
    assert "共享截止日期不能早于今天" in response.content.decode()
    assert not CustomerShare.objects.exists()


def test_read_only_colleague_sees_the_customer_without_edit_buttons(as_user, org, wang):
    shares.customer_share(
        actor=org.rep_a, customer_id=wang.pk, data={"user": org.rep_c.pk, "until": soon()}
    )
    client = as_user(org.rep_c)
    page = client.get(reverse("web:customer_detail", args=[wang.pk])).content.decode()
    assert "王先生" in page
    assert "与您共享了该客户（只读）" in page
    assert reverse("web:customer_edit", args=[wang.pk]) not in page
    assert "记录跟进" not in page
    assert reverse("web:customer_share", args=[wang.pk]) not in page  # nor pass it on
    assert client.get(reverse("web:customer_edit", args=[wang.pk])).status_code == 404


def test_read_write_colleague_may_edit(as_user, org, wang):
    shares.customer_share(
        actor=org.rep_a,
        customer_id=wang.pk,
        data={"user": org.rep_c.pk, "mode": "read_write", "until": soon()},
    )
    client = as_user(org.rep_c)
    page = client.get(reverse("web:customer_detail", args=[wang.pk])).content.decode()
    assert "与您共享了该客户（可编辑）" in page
    assert reverse("web:customer_edit", args=[wang.pk]) in page
    assert client.get(reverse("web:customer_edit", args=[wang.pk])).status_code == 200


def test_shared_with_me_in_the_customer_list(as_user, org, wang):
    make_customer(org.rep_c, name="赵老板")
    shares.customer_share(
        actor=org.rep_a, customer_id=wang.pk, data={"user": org.rep_c.pk, "until": soon()}
    )
    client = as_user(org.rep_c)
    everything = client.get(reverse("web:customer_list")).content.decode()
    assert "王先生" in everything
    assert "赵老板" in everything
    shared = client.get(reverse("web:customer_list") + "?shared=1").content.decode()
    assert "王先生" in shared
    assert "赵老板" not in shared
    assert "共享给我的" in shared
