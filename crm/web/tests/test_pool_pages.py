"""The pool's pages without a browser: the list masks until claimed, claiming and assigning
from the list, refusals shown as messages, the settings pages, the Today section and the lock
on the customer page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.pool import services
from crm.pool.models import PoolLock, ReturnRule

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def pool(org):
    made = services.pool_create(
        actor=org.gm,
        data={
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk, org.rep_b.pk],
            "admins": [org.rep_b.pk],
            "hidden_fields": ["company"],
            "claims_per_time": 1,
        },
    )
    services.rule_add(actor=org.gm, pool_id=made.pk, data={"kind": "no_followup", "days": 10})
    return made


@pytest.fixture
def waiting(org, clock, pool):
    clock(MONDAY, 9)
    made = [
        make_customer(org.rep_a, name=name, phone=phone, company="星河集团")
        for name, phone in (("星河机械", "13911112222"), ("东方电气", "13933334444"))
    ]
    clock(MONDAY + dt.timedelta(days=10), 1)
    services.pool_return_due()
    clock(MONDAY + dt.timedelta(days=10), 9)
    return made


def test_the_list_masks_until_claimed_and_claiming_makes_it_the_reps(as_user, org, waiting):
    client = as_user(org.rep_b)
    body = client.get(reverse("web:pool_list")).content.decode()
    assert "139****2222" in body
    assert "13911112222" not in body
    assert "星河集团" not in body  # hidden by the pool
    assert "分配所选客户" in body  # rep_b administers the pool

    response = client.post(reverse("web:pool_claim"), {"customers": [waiting[0].pk]})
    assert response.status_code == 302
    assert Customer.objects.get(pk=waiting[0].pk).owner == org.rep_b
    detail = client.get(reverse("web:customer_detail", args=[waiting[0].pk])).content.decode()
    assert "13911112222" in detail
    assert "星河集团" in detail
    assert "从公海领取" in detail  # the history says how


def test_a_refused_claim_says_why(as_user, org, waiting):
    client = as_user(org.rep_b)
    ids = [c.pk for c in waiting]
    response = client.post(reverse("web:pool_claim"), {"customers": ids}, follow=True)
    assert "每次最多领取 1 位客户" in response.content.decode()
    assert not Customer.objects.filter(owner=org.rep_b).exists()
    # the former owner, too
    response = as_user(org.rep_a).post(
        reverse("web:pool_claim"), {"customers": ids[:1]}, follow=True
    )
    assert "您是该客户的原负责人" in response.content.decode()


def test_a_manager_assigns_from_the_list(as_user, org, waiting):
    client = as_user(org.manager)
    response = client.post(
        reverse("web:pool_assign"), {"customers": [waiting[1].pk], "owner": org.rep_a.pk}
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=waiting[1].pk).owner == org.rep_a


def test_the_settings_pages_edit_a_pool_and_its_rules(as_user, org, pool):
    client = as_user(org.manager)
    assert "一部公海" in client.get(reverse("web:pool_settings")).content.decode()
    page = client.get(reverse("web:pool_edit", args=[pool.pk])).content.decode()
    assert "未跟进" in page
    response = client.post(
        reverse("web:pool_edit", args=[pool.pk]),
        {
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk],
            "admins": [],
            "hidden": ["phone"],
            "warn_days": 5,
            "reclaim_days": 15,
            "claims_per_day": 3,
            "claims_per_time": 2,
            "cap_per_rep": 100,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pool.refresh_from_db()
    assert (pool.warn_days, pool.hidden_fields, pool.cap_per_rep) == (5, ["phone"], 100)
    assert list(pool.member_users.all()) == [org.rep_a]
    client.post(
        reverse("web:pool_rule_add", args=[pool.pk]),
        {"kind": "no_deal", "days": 90, "grade": "", "category": "intention"},
    )
    assert ReturnRule.objects.filter(pool=pool, kind="no_deal", category="intention").exists()
    created = client.post(
        reverse("web:pool_settings"),
        {"name": "", "warn_days": 3, "reclaim_days": 30, "claims_per_day": 10,
         "claims_per_time": 5, "cap_per_rep": 0},
    )  # fmt: skip
    assert created.status_code == 422
    assert "请填写公海名称" in created.content.decode()


def test_today_lists_the_customers_about_to_return(as_user, org, clock, pool):
    clock(MONDAY, 9)
    make_customer(org.rep_a, name="星河机械")
    clock(MONDAY + dt.timedelta(days=8), 9)
    body = as_user(org.rep_a).get(reverse("web:today")).content.decode()
    assert "即将收回公海" in body
    assert "星河机械" in body
    assert "2026-12-03" in body


def test_a_manager_locks_a_customer_on_its_page(as_user, org, pool):
    customer = make_customer(org.rep_a, name="重点客户")
    client = as_user(org.manager)
    assert (
        "锁定，不被收回公海"
        in client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    )
    client.post(reverse("web:customer_pool_lock", args=[customer.pk]), {"reason": "集团客户"})
    assert PoolLock.objects.get(customer=customer).reason == "集团客户"
    page = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert "已锁定，不会被收回公海" in page
    client.post(reverse("web:customer_pool_unlock", args=[customer.pk]))
    assert not PoolLock.objects.exists()
    # the rep sees no lock form
    rep_page = as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk]))
    assert "锁定，不被收回公海" not in rep_page.content.decode()
