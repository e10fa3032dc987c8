"""The audit viewer page (审计日志) for the data administrator: filters, keyset pages, the
log's details; the customer page links to it. Who may open it: crm/web/tests/test_scope.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.accounts import services as accounts
from crm.customers import services
from crm.customers.selectors import CustomerFilters
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

AUDIT = reverse("web:audit_list")


def test_the_data_admin_sees_who_viewed_a_customer_and_from_where(as_user, org):
    # given rep_a's customer opened by the manager from an office address
    x = make_customer(org.rep_a, name="星河机械")
    as_user(org.manager).get(reverse("web:customer_detail", args=[x.pk]), REMOTE_ADDR="10.1.2.3")

    # when the data administrator filters the log by that customer
    response = as_user(org.data_admin).get(AUDIT, {"customer": x.pk})

    # then both the entry and the view are there, with names, verbs in words and the address
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<tr>") == 1 + 2  # header and two events
    assert "陈经理" in body
    assert "10.1.2.3" in body
    assert "查看" in body
    assert "创建" in body
    assert x.number in body


def test_filters_by_actor_and_verb_and_the_list_reads_details(as_user, org):
    make_customer(org.rep_a, name="星河机械")
    services.customer_browse(
        actor=org.rep_a, filters=CustomerFilters(q="星河", category="potential")
    )
    client = as_user(org.data_admin)

    body = client.get(AUDIT, {"actor": org.rep_a.pk, "verb": "customer.listed"}).content.decode()

    assert body.count("<tr>") == 1 + 1
    assert "查询客户列表" in body
    assert "搜索=星河" in body
    assert "类别=potential" in body
    assert "1 条" in body


def test_keyset_pages_with_the_filters_kept(as_user, org, settings):
    settings.CRM_PAGE_SIZE = 2
    for i in range(3):
        make_customer(org.rep_a, name=f"客户{i}")
    client = as_user(org.data_admin)
    first = client.get(AUDIT, {"verb": "customer.created"}).content.decode()
    assert first.count("<tr>") == 1 + 2
    assert "客户2" in first
    assert "客户0" not in first
    next_link = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "verb=customer.created" in next_link
    second = client.get(AUDIT + next_link).content.decode()
    assert second.count("<tr>") == 1 + 1
    assert "客户0" in second


def test_a_wrong_date_range_is_explained_not_an_error(as_user, org):
    response = as_user(org.data_admin).get(AUDIT, {"since": "2026-03-05", "until": "2026-03-01"})
    assert response.status_code == 422
    assert "结束日期不能早于起始日期" in response.content.decode()


def test_a_mangled_cursor_or_extreme_dates_show_a_page(as_user, org):
    make_customer(org.rep_a, name="星河机械")
    client = as_user(org.data_admin)
    assert client.get(AUDIT, {"cursor": "%%bad"}).status_code == 200
    extreme = client.get(AUDIT, {"since": "0001-01-01", "until": "9999-12-31"})
    assert extreme.status_code == 200
    assert "星河机械" in extreme.content.decode()


def test_the_page_in_english(as_user, org):
    accounts.session_opened(actor=org.rep_a)
    client = as_user(org.data_admin)
    body = client.get(AUDIT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Audit log" in body
    assert "审计日志" not in body
    assert "Signed in" in body  # the verb, in the words of the log ("登录" is "Sign in" elsewhere)


def test_the_customer_page_links_the_data_admin_to_its_audit_log(as_user, org):
    x = make_customer(org.rep_a, name="星河机械")
    link = f"{AUDIT}?customer={x.pk}"
    detail = reverse("web:customer_detail", args=[x.pk])
    assert link in as_user(org.data_admin).get(detail).content.decode()
    assert link not in as_user(org.rep_a).get(detail).content.decode()


def test_every_verb_the_code_records_has_words_in_the_viewer():
    # given every verb written anywhere (``verb="…"`` in the source outside tests)
    import re
    from pathlib import Path

    from crm.web.governance.presenters import verb_labels

    root = Path(__file__).resolve().parents[2]
    written = {
        verb
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for verb in re.findall(r'verb="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert {"customer.viewed", "user.login_locked", "customer.listed"} <= written
    # then the viewer names each of them in words
    assert written - set(verb_labels()) == set()
