"""The manager's 夕会, the calendar with its secret subscription address, and the company's grade
table and follow-up settings, each with who may see it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.activities import selectors, services
from crm.customers import lifecycle
from crm.customers.models import Customer, GradePolicy, LifecycleSettings
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

from .conftest import make_due

TEAM = "/team/"
CALENDAR = "/calendar/"
GRADES = "/settings/grades/"


def call(actor, customer, content="电话沟通"):
    return services.followup_record(
        actor=actor, customer_id=customer.pk, data={"kind": "call", "content": content}
    )


def find(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in ``text`` (or the whole match)."""
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return match.group(1) if match.groups() else match.group(0)


def rep_card(body: str, name: str) -> str:
    match = re.search(rf'<section class="card rep-card">\s*<h2>{name}.*?</section>', body, re.S)
    assert match, name
    return match.group(0)


# --- 夕会 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager", 200), ("gm", 200), ("rep_a", 403), ("data_admin", 403), ("sysadmin", 403)],
)
def test_the_evening_meeting_is_for_managers_and_the_gm(as_user, org, persona, status):
    assert as_user(getattr(org, persona)).get(TEAM).status_code == status


def test_the_evening_meeting_groups_the_departments_day_by_rep(as_user, org):
    a = make_customer(org.rep_a, name="甲客户", category="intention", grade="B")
    b = make_customer(org.rep_b, name="乙客户", category="intention", grade="C")
    other = make_customer(org.rep_c, name="别部门客户", category="intention", grade="B")
    call(org.rep_a, a, "谈了贷款方案")
    call(org.rep_b, b, "约了周末试驾")
    call(org.rep_c, other, "别部门的电话")
    lifecycle.customer_transition(
        actor=org.rep_a,
        customer_id=a.pk,
        version=a.version,
        to="intention",
        grade="H",
        reason="预算已批",
    )
    body = as_user(org.manager).get(TEAM).content.decode()
    card_a, card_b = rep_card(body, "王小明"), rep_card(body, "李小红")
    assert "甲客户" in card_a
    assert "谈了贷款方案" in card_a
    assert "预算已批" in card_a
    assert "乙客户" in card_b
    assert "约了周末试驾" in card_b
    assert "甲客户" not in card_b
    assert "别部门" not in body
    assert "级别变化" in card_a
    assert "新增客户" in card_a  # created today


def test_reps_who_are_behind_show_with_their_overdue_count(as_user, org):
    make_due(org.rep_b, "拖欠一", overdue_days=3)
    make_due(org.rep_b, "拖欠二", overdue_days=1)
    make_due(org.rep_c, "别部门拖欠", overdue_days=3)
    body = as_user(org.manager).get(TEAM).content.decode()
    card = rep_card(body, "李小红")  # no follow-up today, two customers overdue
    assert "跟进 0" in card
    assert "逾期未跟进 2" in card
    assert "赵大勇" not in body


def test_the_gm_sees_every_department(as_user, org):
    call(org.rep_c, make_customer(org.rep_c, name="二部客户", category="intention", grade="B"))
    call(org.rep_a, make_customer(org.rep_a, name="一部客户", category="intention", grade="B"))
    body = as_user(org.gm).get(TEAM).content.decode()
    assert "二部客户" in body
    assert "一部客户" in body


def test_another_day_is_picked_by_date(as_user, org):
    c = make_customer(org.rep_a, name="甲客户", category="intention", grade="B")
    call(org.rep_a, c)
    client = as_user(org.manager)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    body = client.get(TEAM, {"day": yesterday.isoformat()}).content.decode()
    assert "甲客户" not in body
    assert "这一天部门没有跟进或客户变化的记录" in body
    assert f'value="{yesterday.isoformat()}"' in body
    assert "甲客户" in client.get(TEAM, {"day": "不是日期"}).content.decode()  # today


# --- calendar ---------------------------------------------------------------------------------


def test_the_week_shows_plans_callbacks_and_visits(as_user, org):
    c = make_customer(org.rep_a, name="刘总", category="intention", grade="B")
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    services.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "visit", "planned_at": tomorrow}
    )
    services.followup_record(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"kind": "visit", "place": "客户公司", "purpose": "送样品"},
    )
    make_customer(org.rep_b, name="别人的客户")
    client = as_user(org.rep_a)
    week = client.get(CALENDAR, {"day": tomorrow.date().isoformat()}).content.decode()
    assert week.count("刘总") >= 1
    assert "cal-plan" in week
    assert "别人的客户" not in week
    today = client.get(CALENDAR).content.decode()
    assert "cal-visit" in today  # the visit made today


def test_the_month_view_and_its_list_for_phones(as_user, org):
    c = make_customer(org.rep_a, name="刘总")
    moment = timezone.localtime().replace(day=15, hour=10, minute=0) + dt.timedelta(days=31)
    services.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "phone", "planned_at": moment}
    )
    body = (
        as_user(org.rep_a)
        .get(CALENDAR, {"view": "month", "day": moment.date().isoformat()})
        .content.decode()
    )
    grid = find(r'<table class="cal-month">.*?</table>', body)
    agenda = find(r'<div class="cal-agenda">.*?</section>', body)
    assert "刘总" in grid  # the month grid, for wide screens
    assert "刘总" in agenda  # the list of busy days, for phones


def test_the_subscription_address_and_its_reset(as_user, org):
    client = as_user(org.rep_a)
    body = client.get(CALENDAR).content.decode()
    token = find(r"/api/v1/calendar/([\w-]+)\.ics", body)
    assert selectors.feed_owner(token=token) == org.rep_a
    assert 'data-copy="#feed-url"' in body

    response = client.post(reverse("web:calendar_reset"), follow=True)
    body = response.content.decode()
    new = find(r"/api/v1/calendar/([\w-]+)\.ics", body)
    assert new != token
    assert "旧地址已失效" in body
    assert selectors.feed_owner(token=token) is None  # the old address stops working
    assert selectors.feed_owner(token=new) == org.rep_a
    assert client.get(f"/api/v1/calendar/{token}.ics").status_code == 404
    assert client.get(f"/api/v1/calendar/{new}.ics").status_code == 200


def test_calendar_scope(client, as_user, org):
    assert client.get(CALENDAR).status_code == 302
    assert as_user(org.sysadmin).get(CALENDAR).status_code == 403
    assert as_user(org.sysadmin).post(reverse("web:calendar_reset")).status_code == 403


# --- grade table and follow-up settings -------------------------------------------------------


def grade_rows(**changes):
    data: dict[str, object] = {}
    for p in GradePolicy.objects.all():
        data[f"{p.grade}-description"] = p.description
        data[f"{p.grade}-cadence_days"] = p.cadence_days
        data[f"{p.grade}-deal_within_days"] = p.deal_within_days or ""
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("gm", 200), ("manager", 403), ("rep_a", 403), ("data_admin", 403), ("sysadmin", 403)],
)
def test_the_company_wide_grade_table_is_the_general_managers(as_user, org, persona, status):
    client = as_user(getattr(org, persona))
    assert client.get(GRADES).status_code == status
    response = client.post(GRADES, grade_rows(**{"H-cadence_days": 3}))
    assert response.status_code == (302 if status == 200 else 403)
    assert GradePolicy.objects.get(grade="H").cadence_days == (3 if status == 200 else 2)


def test_the_grade_table_is_shown_and_saved(as_user, org, django_capture_on_commit_callbacks):
    c = make_due(org.rep_a, "王先生", overdue_days=0, grade="H")
    client = as_user(org.gm)
    body = client.get(GRADES).content.decode()
    for grade in "OHABC":
        assert f'name="{grade}-cadence_days"' in body
    assert 'name="H-cadence_days" value="2"' in body

    with django_capture_on_commit_callbacks(execute=True):  # the background recompute
        response = client.post(
            GRADES, grade_rows(**{"H-cadence_days": 4, "H-description": "一周内成交"})
        )
    assert response.status_code == 302
    page = client.get(GRADES).content.decode()
    assert "H 级客户的下次跟进日期正在后台重新计算" in page
    assert 'value="一周内成交"' in page
    c.refresh_from_db()  # the test settings run the task as soon as it is enqueued
    assert c.next_due_on == timezone.localdate() + dt.timedelta(days=2)
    assert AuditEvent.objects.filter(verb="grade_policy.updated").count() == 1


def test_grade_table_errors_keep_the_input(as_user, org):
    response = as_user(org.gm).post(
        GRADES, grade_rows(**{"A-cadence_days": 0, "B-description": "我的说明"})
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="我的说明"' in body
    assert re.search(r'name="A-cadence_days" value="0"', body)
    assert GradePolicy.objects.get(grade="A").cadence_days == 7


def test_follow_up_settings(as_user, org):
    client = as_user(org.gm)
    url = reverse("web:followup_settings")
    response = client.post(url, {"missed_grace_hours": 12, "callback_days": "1，3，30"})
    assert response.status_code == 302
    settings = LifecycleSettings.objects.get(pk=1)
    assert (settings.missed_grace_hours, settings.callback_days) == (12, "1,3,30")
    assert "已保存跟进设置" in client.get(GRADES).content.decode()

    response = client.post(url, {"missed_grace_hours": 12, "callback_days": "一天后"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "请用逗号分隔的天数" in body
    assert 'value="一天后"' in body
    assert (
        as_user(org.rep_a).post(url, {"missed_grace_hours": 1, "callback_days": "1"}).status_code
        == 403
    )
    assert lifecycle.lifecycle_settings().callback_days == "1,3,30"
    assert Customer.objects.count() == 0


def test_the_calendar_and_the_generated_plan_texts_speak_english(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="H")
    lifecycle.customer_transition(
        actor=org.rep_a,
        customer_id=c.pk,
        version=c.version,
        to="retained",
        deal_on=timezone.localdate(),
    )
    client = as_user(org.rep_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/calendar/"})
    week = client.get("/calendar/?view=week").content.decode()
    assert "月" not in re.sub(r"<[^>]+>", "", week).split("Calendar", 1)[-1].split("Subscribe")[0]
    page = client.get(f"/customers/{c.pk}/").content.decode()
    shown = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S)  # an edit keeps the text
    assert "Callback on day 1 after the deal" in shown
    assert "成交后第" not in shown
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "成交后第 1 天回访" in client.get(f"/customers/{c.pk}/").content.decode()
