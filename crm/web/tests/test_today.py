"""今日工作 as a rep uses it first thing every day: who is overdue and due, one click to record a
follow-up that takes the customer off the list and updates the counts without a reload, the
day's plans and callbacks, reminders, and the counts in the navigation of every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.activities import services as activities
from crm.activities.models import FollowUp, Notification, Plan
from crm.customers import lifecycle
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.testing import PASSWORD

from .conftest import make_due

TODAY = "/today/"
HTMX = {"HX-Request": "true"}


def section(body: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', body, re.S)
    assert match, section_id
    return match.group(0)


def find(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in ``text`` (or the whole match)."""
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return match.group(1) if match.groups() else match.group(0)


def record_url(customer) -> str:
    return reverse("web:followup_create", args=[customer.pk])


def call_data(**overrides):
    data = {
        "on": "today",
        "slot": "fu-overdue-1",
        "kind": "call",
        "content": "电话沟通配置和价格",
        "feedback": "",
        "outcome": "",
        "next_at": "",
        "next_method": "phone",
        "next_step": "",
    }
    data.update(overrides)
    return data


# --- the page ---------------------------------------------------------------------------------


def test_reps_and_managers_land_on_today_after_sign_in(client, org):
    response = client.post(
        reverse("web:login"), {"username": "rep_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == TODAY
    assert "今日工作" in response.content.decode()


def test_overdue_and_due_today_lists_show_what_a_rep_needs(as_user, org):
    late = make_due(org.rep_a, "逾期王", overdue_days=3, phone="13700001111")
    make_due(org.rep_a, "今天李", overdue_days=0, grade="A")
    make_customer(org.rep_a, name="不急赵", category="intention", grade="C")

    body = as_user(org.rep_a).get(TODAY).content.decode()

    overdue, due = section(body, "overdue"), section(body, "due-today")
    assert "逾期王" in overdue
    assert "今天李" not in overdue
    assert "今天李" in due
    assert "逾期王" not in due
    assert "不急赵" not in body
    assert "逾期 3 天" in overdue
    assert late.next_due_on.isoformat() in overdue  # the date it was due
    assert "从未跟进" in overdue  # last contact
    assert "13700001111" in overdue
    assert ">H<" in overdue  # the grade
    assert "记录跟进" in overdue


def test_counts_on_the_page_and_in_the_navigation(as_user, org):
    make_due(org.rep_a, "甲", overdue_days=2)
    make_due(org.rep_a, "乙", overdue_days=1)
    make_due(org.rep_a, "丙", overdue_days=0)
    Notification.objects.create(user=org.rep_a, kind="x", title="有新的计划")
    client = as_user(org.rep_a)

    body = client.get(TODAY).content.decode()
    counts = section(body, "today-counts")
    assert re.search(r'stat-value">2<.*?逾期', counts, re.S)
    assert re.search(r'stat-value">1<.*?今日到期', counts, re.S)
    assert re.search(r'stat-value">1<.*?未读提醒', counts, re.S)

    # every page shows the badge: overdue plus due today
    other = client.get(reverse("web:settings")).content.decode()
    nav = find(r'<a id="nav-today".*?</a>', other)
    assert "nav-badge nav-badge-alert" in nav
    assert ">3<" in nav
    assert "1 条未读提醒" in nav


def test_no_badge_when_nothing_is_due(as_user, org):
    body = as_user(org.rep_a).get(reverse("web:customer_list")).content.decode()
    nav = find(r'<a id="nav-today".*?</a>', body)
    assert "nav-badge" not in nav


def test_a_rep_sees_only_own_customers(as_user, org):
    make_due(org.rep_a, "甲方的", overdue_days=2)
    make_due(org.rep_b, "乙方的", overdue_days=2)
    make_due(org.rep_c, "丙方的", overdue_days=2)
    body = as_user(org.rep_a).get(TODAY).content.decode()
    assert "甲方的" in body
    assert "乙方的" not in body
    assert "丙方的" not in body


def test_a_manager_sees_own_customers_not_the_departments(as_user, org):
    """The manager's department is on the 夕会 page; Today is one's own work."""
    make_due(org.manager, "经理的", overdue_days=1)
    make_due(org.rep_a, "下属的", overdue_days=1)
    body = as_user(org.manager).get(TODAY).content.decode()
    assert "经理的" in body
    assert "下属的" not in body


def test_empty_day_says_so(as_user, org):
    body = as_user(org.rep_a).get(TODAY).content.decode()
    assert "没有逾期的客户" in body
    assert "今天没有到期的客户" in body
    assert "今天没有安排的计划或回访" in body


@pytest.mark.parametrize("rows", [1, 12])
def test_today_page_query_count_does_not_grow_with_rows(
    as_user, org, django_assert_max_num_queries, rows
):
    soon = timezone.now() + dt.timedelta(hours=1)
    for i in range(rows):
        make_due(org.rep_a, f"逾期{i}", overdue_days=2, tags=["VIP"])
        c = make_due(org.rep_a, f"今天{i}", overdue_days=0)
        activities.plan_create(
            actor=org.rep_a,
            customer_id=c.pk,
            data={"method": "visit", "planned_at": soon, "content": "送报价"},
        )
        Notification.objects.create(user=org.rep_a, kind="x", title=f"提醒{i}")
    client = as_user(org.rep_a)
    # session, user, the counts (3, once for page and navigation), two due lists with their
    # tags, the plans, the reminders, one INSERT logging the page's lists (查阅登记), the ids
    # shared with the rep (客户共享) and the pools' return rules (即将收回公海); the confidentiality
    # levels with the reader's clearance (密级), the 审批 badge and whether records wait for
    # verification (待核查 in the menu)
    with django_assert_max_num_queries(17):
        response = client.get(TODAY)
    assert response.status_code == 200
    assert "逾期0" in response.content.decode()


def test_the_next_page_of_a_due_list_loads_below(as_user, org, settings):
    settings.CRM_PAGE_SIZE = 2
    for i in range(3):
        make_due(org.rep_a, f"客户{i}", overdue_days=5 - i)
    client = as_user(org.rep_a)
    body = client.get(TODAY).content.decode()
    overdue = section(body, "overdue")
    assert "客户0" in overdue
    assert "客户1" in overdue
    assert "客户2" not in overdue
    more = find(r'hx-get="(/today/rows/\?which=overdue&amp;cursor=[^"]+)"', overdue)
    rows = client.get(more.replace("&amp;", "&"), headers=HTMX).content.decode()
    assert "客户2" in rows
    assert "客户0" not in rows
    assert "<html" not in rows
    # without JavaScript the link opens the page at that cursor
    link = find(r'href="\?overdue=([^"]+)"', overdue)
    assert "客户2" in section(client.get(f"{TODAY}?overdue={link}").content.decode(), "overdue")


# --- recording a follow-up in place -----------------------------------------------------------


def test_record_opens_an_inline_form_with_the_call_chosen(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    response = as_user(org.rep_a).get(
        record_url(c), {"on": "today", "slot": f"fu-overdue-{c.pk}"}, headers=HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="fu-overdue-{c.pk}-form"' in body
    assert re.search(r'value="call"[^>]*checked', body)
    for label in ("内容", "客户反馈", "结果", "下次跟进时间", "下次跟进方式"):
        assert label in body


def test_recording_a_call_takes_the_customer_off_the_list_and_updates_the_counts(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    make_due(org.rep_a, "李女士", overdue_days=1)
    client = as_user(org.rep_a)

    response = client.post(record_url(c), call_data(slot=f"fu-overdue-{c.pk}"), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"  # only the out-of-band sections change
    overdue = section(body, "overdue")
    assert 'hx-swap-oob="true"' in overdue
    assert "王先生" not in overdue
    assert "李女士" in overdue
    assert re.search(r'stat-value">1<.*?逾期', section(body, "today-counts"), re.S)
    assert re.search(r'<a id="nav-today"[^>]*hx-swap-oob="true"', body)
    assert "已记录 王先生 的电话跟进" in body
    followup = FollowUp.objects.get(customer=c)
    assert (followup.kind, followup.staff, followup.content) == (
        "call",
        org.rep_a,
        "电话沟通配置和价格",
    )
    c.refresh_from_db()
    assert c.next_due_on > timezone.localdate()


def test_a_next_step_becomes_a_plan(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    when = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=15, minute=0)
    as_user(org.rep_a).post(
        record_url(c),
        call_data(next_at=when.strftime("%Y-%m-%dT%H:%M"), next_method="visit", next_step="送合同"),
        headers=HTMX,
    )
    plan = Plan.objects.get(customer=c)
    assert (plan.method, plan.content, plan.status) == ("visit", "送合同", "planned")
    assert timezone.localtime(plan.planned_at).hour == 15


def test_a_record_with_errors_keeps_what_was_typed(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    response = as_user(org.rep_a).post(
        record_url(c),
        call_data(kind="visit", content="", place="", purpose="试驾", feedback="还在比较"),
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "请填写地点" in body
    assert 'value="试驾"' in body
    assert "还在比较" in body
    assert re.search(r'value="visit"[^>]*checked', body)
    assert FollowUp.objects.count() == 0


def test_a_future_time_is_refused_in_chinese(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = as_user(org.rep_a).post(
        record_url(c), call_data(on="customer", slot="followup", occurred_at=later), headers=HTMX
    )
    assert response.status_code == 422
    assert "跟进时间不能晚于现在" in response.content.decode()


def test_without_javascript_the_form_is_a_page_and_returns_to_today(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    client = as_user(org.rep_a)
    page = client.get(record_url(c), {"on": "today"})
    assert "<html" in page.content.decode()
    assert "记录跟进" in page.content.decode()
    response = client.post(record_url(c), call_data(slot="followup"))
    assert response.status_code == 302
    assert response["Location"] == TODAY
    body = client.get(TODAY).content.decode()
    assert "已记录 王先生 的电话跟进" in body
    assert "王先生" not in section(body, "overdue")


# --- plans and callbacks of the day -----------------------------------------------------------


def test_todays_plans_and_callbacks_with_their_own_action(as_user, org, clock):
    clock(timezone.localdate())  # 10:00: half an hour on is today at any hour of the run
    c = make_customer(org.rep_a, name="刘总", category="intention", grade="B")
    soon = timezone.now() + dt.timedelta(minutes=30)
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "visit", "planned_at": soon, "content": "上门送报价"},
    )
    body = as_user(org.rep_a).get(TODAY).content.decode()
    plans = section(body, "plans")
    assert "刘总" in plans
    assert "上门送报价" in plans
    assert "拜访" in plans
    assert f"plan={plan.pk}&amp;kind=visit" in plans  # 完成 records a visit for this plan
    assert re.search(r'stat-value">1<.*?今日拜访', section(body, "today-counts"), re.S)


def test_completing_a_plan_records_against_it_and_removes_it(as_user, org):
    c = make_customer(org.rep_a, name="刘总", category="intention", grade="B")
    soon = timezone.now() + dt.timedelta(minutes=30)
    plan = activities.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "phone", "planned_at": soon}
    )
    client = as_user(org.rep_a)
    form = client.get(
        record_url(c),
        {"on": "today", "slot": f"fu-plan-{plan.pk}", "plan": plan.pk, "kind": "call"},
        headers=HTMX,
    ).content.decode()
    assert f'name="plan" value="{plan.pk}"' in form
    response = client.post(
        record_url(c), call_data(slot=f"fu-plan-{plan.pk}", plan=plan.pk), headers=HTMX
    )
    assert "刘总" not in section(response.content.decode(), "plans")
    plan.refresh_from_db()
    assert plan.status == "done"
    assert plan.fulfilled_by == FollowUp.objects.get(customer=c)


def test_a_callback_needs_the_satisfaction(as_user, org):
    c = make_customer(org.rep_a, name="老客户", category="intention", grade="H")
    registered = timezone.now() - dt.timedelta(days=3)
    Customer.objects.filter(pk=c.pk).update(created_at=registered)  # a customer since last week
    lifecycle.customer_transition(
        actor=org.rep_a,
        customer_id=c.pk,
        version=c.version,
        to="retained",
        deal_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client = as_user(org.rep_a)
    body = client.get(TODAY).content.decode()
    assert "老客户" in section(body, "plans")
    assert "回访" in section(body, "plans")
    response = client.post(
        record_url(c), call_data(kind="callback", content="回访交车情况"), headers=HTMX
    )
    assert response.status_code == 422
    assert "请填写满意度" in response.content.decode()
    response = client.post(
        record_url(c), call_data(kind="callback", content="回访", satisfaction="5"), headers=HTMX
    )
    assert response.status_code == 200
    assert FollowUp.objects.get(customer=c).satisfaction == 5


# --- reminders --------------------------------------------------------------------------------


def test_reminders_are_listed_and_marked_read(as_user, org):
    first = Notification.objects.create(user=org.rep_a, kind="x", title="计划已逾期", url="/today/")
    Notification.objects.create(user=org.rep_a, kind="x", title="经理给您安排了跟进")
    Notification.objects.create(user=org.rep_b, kind="x", title="别人的提醒")
    client = as_user(org.rep_a)
    body = client.get(TODAY).content.decode()
    notes = section(body, "notifications")
    assert "计划已逾期" in notes
    assert "经理给您安排了跟进" in notes
    assert "别人的提醒" not in body

    response = client.post(reverse("web:notifications_read"), {"id": first.pk}, headers=HTMX)
    notes = section(response.content.decode(), "notifications")
    assert "计划已逾期" not in notes
    assert "经理给您安排了跟进" in notes
    assert re.search(r'stat-value">1<.*?未读提醒', response.content.decode(), re.S)

    client.post(reverse("web:notifications_read"))
    assert not Notification.objects.filter(user=org.rep_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=org.rep_b, read_at__isnull=True).exists()


# --- scope ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(TODAY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_sysadmin_gets_403(as_user, org):
    assert as_user(org.sysadmin).get(TODAY).status_code == 403


@pytest.mark.parametrize("persona", ["rep_b", "rep_c", "manager2"])
def test_outsiders_get_404_on_anothers_follow_up_form(as_user, org, persona):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    client = as_user(getattr(org, persona))
    assert client.get(record_url(c), headers=HTMX).status_code == 404
    assert client.post(record_url(c), call_data(), headers=HTMX).status_code == 404
    assert not FollowUp.objects.exists()


def test_the_manager_may_record_for_a_department_customer(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    response = as_user(org.manager).post(record_url(c), call_data(), headers=HTMX)
    assert response.status_code == 200
    assert FollowUp.objects.get(customer=c).staff == org.manager


def test_the_workday_pages_read_in_english(as_user, org):
    make_due(org.rep_a, "王先生", overdue_days=2)
    client = as_user(org.rep_a)
    client.post("/i18n/setlang/", {"language": "en", "next": TODAY})
    body = client.get(TODAY).content.decode()
    for text in ("Overdue", "Due today", "Record follow-up", "2 days overdue", "Reminders"):
        assert text in body, text
    assert "逾期未跟进" not in body
