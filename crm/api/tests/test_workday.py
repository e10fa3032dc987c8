"""The workday through the API: follow-ups, plans, transitions, the due list and Today,
settings, reminders — with the clock under control."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.activities import services as activities
from crm.customers import lifecycle
from crm.customers import services as services_customers
from crm.customers.tests.factories import make_customer
from crm.testing import at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def reason_id(name: str) -> int:
    return next(r.pk for r in lifecycle.defeat_reasons() if r.name == name)


# --- follow-up records ----------------------------------------------------------------------


def test_recording_a_call_takes_the_customer_off_the_overdue_list(org, call, clock):
    # given an A customer entered nine days ago (A: every 7 days)
    clock(MONDAY)
    c = make_customer(org.rep_a, name="赵总", category="intention", grade="A")
    clock(MONDAY + dt.timedelta(days=9))
    assert names(call(org.rep_a, "GET", "due?which=overdue")) == ["赵总"]
    assert call(org.rep_a, "GET", "today").json()["overdue"] == 1

    # when rep_a records a call
    response = call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/followups",
        {"kind": "call", "content": "询问试驾时间", "feedback": "周末来店"},
    )

    # then the record is there and the customer is no longer overdue
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["kind_label"], body["staff"]["name"]) == ("call", "电话", "王小明")
    assert names(call(org.rep_a, "GET", "due?which=overdue")) == []
    today = call(org.rep_a, "GET", "today").json()
    assert (today["overdue"], today["due_today"], today["total"]) == (0, 0, 0)


def test_what_each_kind_of_record_must_say_is_a_422_per_field(org, call):
    c = make_customer(org.rep_a, name="吴先生")
    response = call(org.rep_a, "POST", f"customers/{c.pk}/followups", {"kind": "email"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"subject", "recipient", "content"}
    response = call(org.rep_a, "POST", f"customers/{c.pk}/followups", {"kind": "visit"}, lang="en")
    assert response.json()["error"]["fields"] == {
        "place": "Please fill in the place",
        "purpose": "Please fill in the purpose",
    }


def test_follow_ups_come_newest_first_a_page_at_a_time(org, call, clock):
    # given seven calls on seven days
    c = make_customer(org.rep_a, name="钱先生", category="intention", grade="C")
    for day in range(7):
        clock(MONDAY + dt.timedelta(days=day))
        call(
            org.rep_a,
            "POST",
            f"customers/{c.pk}/followups",
            {"kind": "call", "content": f"第{day}次"},
        )

    # when rep_a walks the list three at a time
    contents, cursor = [], ""
    for _ in range(5):
        page = call(org.rep_a, "GET", f"customers/{c.pk}/followups?limit=3&cursor={cursor}").json()
        contents.append([f["content"] for f in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # then every record comes once, newest first
    assert contents == [["第6次", "第5次", "第4次"], ["第3次", "第2次", "第1次"], ["第0次"]]


def test_a_broken_cursor_is_a_422(org, call):
    c = make_customer(org.rep_a, name="孙先生")
    response = call(org.rep_a, "GET", f"customers/{c.pk}/followups?cursor=nonsense")
    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["fields"]


def test_the_next_step_of_a_record_becomes_a_plan(org, call, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="冯先生", category="intention", grade="C")
    call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/followups",
        {
            "kind": "call",
            "content": "约看车",
            "next_step": "周四邀约到店",
            "next_at": "2026-11-26T15:00:00+08:00",
            "next_method": "store_visit",
        },
    )
    plans = call(org.rep_a, "GET", f"customers/{c.pk}/plans").json()
    assert [(p["method_label"], p["content"], p["status"]) for p in plans] == [
        ("邀约到店", "周四邀约到店", "planned")
    ]


# --- plans ----------------------------------------------------------------------------------


def test_plan_reschedule_and_cancel_with_versions(org, call, clock):
    # given a planned visit
    clock(MONDAY)
    c = make_customer(org.rep_a, name="周先生", category="intention", grade="B")
    created = call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/plans",
        {"method": "visit", "planned_at": "2026-11-25T15:00:00+08:00", "content": "送报价单"},
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert (plan["assignee"]["name"], plan["version"], plan["status_label"]) == (
        "王小明",
        1,
        "计划中",
    )

    # when it is moved to Thursday
    moved = call(
        org.rep_a,
        "PATCH",
        f"plans/{plan['id']}",
        {"version": 1, "planned_at": "2026-11-26T09:30:00+08:00"},
    )

    # then the time and the version change; a second edit from the old version is refused
    assert moved.status_code == 200, moved.content
    assert moved.json()["planned_at"] == "2026-11-26T09:30:00+08:00"
    assert moved.json()["version"] == 2
    stale = call(org.rep_a, "PATCH", f"plans/{plan['id']}", {"version": 1, "content": "x"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert stale.json()["error"]["current_version"] == 2

    # and a cancelled plan can be changed no more
    cancelled = call(org.rep_a, "POST", f"plans/{plan['id']}/cancel", {"reason": "客户出差"})
    assert cancelled.json()["status"] == "cancelled"
    again = call(org.rep_a, "POST", f"plans/{plan['id']}/cancel", {})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "state_conflict"
    assert again.json()["error"]["message"] == "已完成或已取消的计划不能取消"


def test_plans_of_a_day_are_the_callers_own_with_earlier_open_ones(org, call, clock):
    clock(MONDAY, 8)
    a = make_customer(org.rep_a, name="甲先生")
    b = make_customer(org.rep_b, name="乙先生")
    for actor, customer, when in (
        (org.rep_a, a, at(MONDAY, 9)),
        (org.rep_a, a, at(MONDAY + dt.timedelta(days=1), 14)),
        (org.rep_a, a, at(MONDAY + dt.timedelta(days=2), 9)),
        (org.rep_b, b, at(MONDAY + dt.timedelta(days=1), 9)),
    ):
        activities.plan_create(
            actor=actor, customer_id=customer.pk, data={"method": "phone", "planned_at": when}
        )
    response = call(org.rep_a, "GET", "plans?day=2026-11-24")
    assert [p["planned_at"][:10] for p in response.json()] == ["2026-11-23", "2026-11-24"]
    assert {p["customer"]["name"] for p in response.json()} == {"甲先生"}
    assert len(call(org.rep_a, "GET", "plans").json()) == 1  # today: Monday's only
    assert call(org.rep_a, "GET", "plans?day=tomorrow").status_code == 422


def test_a_plan_cannot_be_given_to_a_rep_of_another_department(org, call):
    c = make_customer(org.manager, name="郑先生")
    response = call(
        org.manager,
        "POST",
        f"customers/{c.pk}/plans",
        {"method": "phone", "planned_at": "2099-01-05T10:00:00+08:00", "assignee": org.rep_c.pk},
    )
    assert response.status_code == 422
    assert "assignee" in response.json()["error"]["fields"]


def test_a_plan_given_to_a_colleague_tells_them(org, call):
    c = services_customers.customer_create(
        actor=org.manager, data={"name": "王先生", "owner": org.rep_b.pk}
    )
    call(
        org.manager,
        "POST",
        f"customers/{c.pk}/plans",
        {"method": "phone", "planned_at": "2099-01-05T10:00:00+08:00", "assignee": org.rep_b.pk},
    )
    items = call(org.rep_b, "GET", "notifications").json()["items"]
    assert [n["title"] for n in items] == ["陈经理 给您安排了跟进：王先生"]


def test_nobody_is_given_a_plan_of_a_customer_they_cannot_read(org, call):
    # the manager's own customer: rep_b (own customers only) could not look it up
    c = make_customer(org.manager, name="王先生")
    response = call(
        org.manager,
        "POST",
        f"customers/{c.pk}/plans",
        {"method": "phone", "planned_at": "2099-01-05T10:00:00+08:00", "assignee": org.rep_b.pk},
    )
    assert response.status_code == 422
    assert (
        response.json()["error"]["fields"]["assignee"]
        == "该用户无权查看此客户，不能为其安排此客户的跟进"
    )
    assert call(org.rep_b, "GET", "notifications").json()["items"] == []


# --- transitions ----------------------------------------------------------------------------


def test_an_illegal_transition_is_refused_with_a_clear_message(org, call):
    c = make_customer(org.rep_a, name="乙")
    body = {"version": 1, "to": "retained", "deal_on": "2026-01-01"}
    zh = call(org.rep_a, "POST", f"customers/{c.pk}/transition", body)
    en = call(org.rep_a, "POST", f"customers/{c.pk}/transition", body, lang="en")
    # the request is well formed: the customer's category refuses it (409, not 422)
    assert zh.status_code == en.status_code == 409
    assert zh.json()["error"]["code"] == "state_conflict"
    assert zh.json()["error"]["message"] == "不能从“潜在客户”变为“保有客户”"
    assert en.json()["error"]["message"] == "A customer cannot go from “Potential” to “Retained”"
    assert en.json()["error"]["fields"] == {"to": "This change of category is not allowed"}


def test_a_defeat_without_an_analysis_is_refused(org, call):
    c = make_customer(org.rep_a, name="丁", category="intention", grade="B")
    response = call(
        org.rep_a, "POST", f"customers/{c.pk}/transition", {"version": 1, "to": "defeated"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == "战败客户必须填写战败分析"
    assert set(error["fields"]) == {"defeat.reason", "defeat.tried"}
    assert call(org.rep_a, "GET", f"customers/{c.pk}").json()["category"] == "intention"


def test_a_stale_version_is_a_conflict(org, call):
    c = make_customer(org.rep_a, name="戊")
    call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "杭州"})
    response = call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/transition",
        {"version": 1, "to": "intention", "grade": "A"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert call(org.rep_a, "GET", f"customers/{c.pk}").json()["category"] == "potential"


def test_intention_then_deal_schedules_callbacks(org, call, clock):
    # given a potential customer
    clock(MONDAY)
    c = make_customer(org.rep_a, name="丙")

    # when graded H, then closed today
    graded = call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/transition",
        {"version": 1, "to": "intention", "grade": "H", "reason": "来店看车"},
    )
    assert graded.status_code == 200, graded.content
    assert graded.json()["customer"]["grade_label"] == "H级（7天内成交）"
    assert graded.json()["event"]["from_category_label"] == "潜在客户"
    version = graded.json()["customer"]["version"]
    deal = call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/transition",
        {"version": version, "to": "retained", "deal_on": "2026-11-23"},
    )

    # then the customer is retained and callbacks are planned on days 1, 7, 30 and 90
    assert deal.json()["customer"]["category"] == "retained"
    plans = call(org.rep_a, "GET", f"customers/{c.pk}/plans").json()
    assert [(p["kind_label"], p["planned_at"][:10]) for p in plans] == [
        ("回访", "2026-11-24"),
        ("回访", "2026-11-30"),
        ("回访", "2026-12-23"),
        ("回访", "2027-02-21"),
    ]


def test_a_defeat_with_analysis_and_the_managers_comment(org, call):
    # given an intention customer lost to a competitor, the manager records the defeat
    c = make_customer(org.rep_a, name="己", category="intention", grade="B")
    response = call(
        org.manager,
        "POST",
        f"customers/{c.pk}/transition",
        {
            "version": 1,
            "to": "defeated",
            "reason": "买了别家",
            "defeat": {
                "reason": reason_id("价格"),
                "competitor_brand": "丰田",
                "competitor_model": "凯美瑞",
                "tried": "申请了额外优惠",
            },
        },
    )
    assert response.status_code == 200, response.content
    defeat = response.json()["event"]["defeat"]
    assert (defeat["reason"]["name"], defeat["competitor_brand"]) == ("价格", "丰田")

    # when the manager comments; a rep may not
    assert (
        call(org.rep_a, "POST", f"defeats/{defeat['id']}/comment", {"comment": "x"}).status_code
        == 403
    )
    blank = call(org.manager, "POST", f"defeats/{defeat['id']}/comment", {"comment": "  "})
    assert blank.status_code == 422
    done = call(org.manager, "POST", f"defeats/{defeat['id']}/comment", {"comment": "价格偏高"})

    # then the comment is kept with the manager's name
    assert (done.json()["manager_comment"], done.json()["manager"]["name"]) == (
        "价格偏高",
        "陈经理",
    )


def test_the_timeline_shows_records_plans_transitions_and_changes(org, call, clock):
    clock(MONDAY, 9)
    c = make_customer(org.rep_a, name="庚")
    clock(MONDAY, 10)
    call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "杭州"})
    clock(MONDAY, 11)
    call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/transition",
        {"version": 2, "to": "intention", "grade": "A"},
    )
    clock(MONDAY, 12)
    call(org.rep_a, "POST", f"customers/{c.pk}/followups", {"kind": "call", "content": "报价"})
    activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "visit", "planned_at": at(MONDAY + dt.timedelta(days=2))},
    )
    items = call(org.rep_a, "GET", f"customers/{c.pk}/timeline").json()
    assert [(i["kind"], i["title"]) for i in items] == [
        ("plan", "拜访"),
        ("followup", "电话"),
        ("lifecycle", "意向客户"),
        ("change", "修改资料"),
        ("change", "创建客户"),
    ]
    assert items[1]["detail"]["content"] == "报价"
    assert items[3]["detail"]["changes"]["city"] == ["", "杭州"]
    en = call(org.rep_a, "GET", f"customers/{c.pk}/timeline", lang="en").json()
    assert [i["title"] for i in en] == ["Visit", "Phone", "Intention", "Edited", "Created"]


# --- the due list and Today -----------------------------------------------------------------


def test_due_list_most_overdue_first_in_pages(org, call, clock):
    # given H customers entered on five successive days (H: every 2 days)
    for d in range(5):
        clock(MONDAY + dt.timedelta(days=d))
        make_customer(org.rep_a, name=f"客户{d}", category="intention", grade="H")
    make_customer(org.rep_b, name="别人的", category="intention", grade="H")
    clock(MONDAY + dt.timedelta(days=6))

    # when rep_a walks "due" two at a time
    first = call(org.rep_a, "GET", "due?limit=2").json()
    second = call(org.rep_a, "GET", f"due?limit=2&cursor={first['next_cursor']}").json()
    third = call(org.rep_a, "GET", f"due?limit=2&cursor={second['next_cursor']}").json()

    # then the most overdue come first and due-today last
    walked = [i["name"] for page in (first, second, third) for i in page["items"]]
    assert walked == ["客户0", "客户1", "客户2", "客户3", "客户4"]
    assert [i["overdue_days"] for i in first["items"]] == [4, 3]
    assert third["next_cursor"] is None
    assert names(call(org.rep_a, "GET", "due?which=today")) == ["客户4"]
    today = call(org.rep_a, "GET", "today").json()
    assert (today["day"], today["overdue"], today["due_today"]) == ("2026-11-29", 4, 1)


def test_due_list_refuses_an_unknown_which(org, call):
    response = call(org.rep_a, "GET", "due?which=later", lang="en")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"which": "Not a valid choice"}


def test_today_counts_visits_and_callbacks(org, call, clock):
    clock(MONDAY, 8)
    c = make_customer(org.rep_a, name="辛")
    for method, hour in (("visit", 10), ("store_visit", 14), ("phone", 16)):
        activities.plan_create(
            actor=org.rep_a,
            customer_id=c.pk,
            data={"method": method, "planned_at": at(MONDAY, hour)},
        )
    body = call(org.rep_a, "GET", "today").json()
    assert (body["visits_today"], body["callbacks_today"]) == (2, 0)


def _count_queries(call, actor, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert call(actor, "GET", path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["due", "due?which=overdue", "today"])
def test_due_and_today_queries_do_not_grow_with_the_rows(org, call, clock, path):
    # given a rep with a few overdue customers
    clock(MONDAY)
    for i in range(3):
        make_customer(org.rep_a, name=f"早{i}", category="intention", grade="H", tags=["VIP"])
    clock(MONDAY + dt.timedelta(days=5))
    call(org.rep_a, "GET", "me")  # the token is issued outside the measurement
    few = _count_queries(call, org.rep_a, path)

    # when there are ten times as many, with tags and plans
    clock(MONDAY)
    for i in range(30):
        c = make_customer(org.rep_a, name=f"晚{i}", category="intention", grade="H", tags=["新"])
        activities.plan_create(
            actor=org.rep_a,
            customer_id=c.pk,
            data={"method": "visit", "planned_at": at(MONDAY + dt.timedelta(days=5))},
        )
    clock(MONDAY + dt.timedelta(days=5))

    # then the number of queries is the same
    assert _count_queries(call, org.rep_a, path) == few
    assert few <= 8


# --- settings -------------------------------------------------------------------------------


def test_grade_table_read_by_all_edited_by_managers(
    org, call, clock, django_capture_on_commit_callbacks
):
    # given a B customer due in 14 days
    clock(MONDAY)
    c = make_customer(org.rep_a, name="壬", category="intention", grade="B")
    grades = call(org.rep_a, "GET", "settings/grades").json()["grades"]
    assert [(g["grade"], g["cadence_days"]) for g in grades] == [
        ("O", 7),
        ("H", 2),
        ("A", 7),
        ("B", 14),
        ("C", 30),
    ]

    # when the general manager shortens B to 10 days
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            org.gm, "PUT", "settings/grades", {"grades": [{"grade": "B", "cadence_days": 10}]}
        )

    # then the table says so and the customer is due four days earlier
    assert response.status_code == 200, response.content
    assert response.json()["recomputing"] == ["B"]
    assert {g["grade"]: g["cadence_days"] for g in response.json()["grades"]}["B"] == 10
    assert call(org.rep_a, "GET", f"customers/{c.pk}").status_code == 200
    clock(MONDAY + dt.timedelta(days=10))
    assert names(call(org.rep_a, "GET", "due?which=today")) == ["壬"]


def test_grade_table_refuses_nonsense_in_english_too(org, call):
    response = call(
        org.gm,
        "PUT",
        "settings/grades",
        {"grades": [{"grade": "H", "cadence_days": 0}]},
        lang="en",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"grades.0.cadence_days": "Must be at least 1"}


def test_lifecycle_settings_change_the_callback_days(org, call, clock):
    assert call(org.rep_a, "GET", "settings/lifecycle").json() == {
        "missed_grace_hours": 24,
        "callback_days": [1, 7, 30, 90],
        "defeat_needs_approval": True,
    }
    response = call(
        org.gm, "PUT", "settings/lifecycle", {"missed_grace_hours": 4, "callback_days": [3, 1]}
    )
    assert response.json() == {
        "missed_grace_hours": 4,
        "callback_days": [1, 3],
        "defeat_needs_approval": True,
    }
    bad = call(org.gm, "PUT", "settings/lifecycle", {"missed_grace_hours": 4, "callback_days": []})
    assert bad.status_code == 422
    assert "callback_days" in bad.json()["error"]["fields"]


def test_defeat_reasons_and_grade_suggestion(org, call, clock):
    clock(MONDAY)
    reasons = [r["name"] for r in call(org.rep_a, "GET", "defeat-reasons").json()]
    assert reasons[:2] == ["价格", "竞品产品"]
    assert call(org.rep_a, "GET", "grade-suggestion?expected_purchase_on=2026-11-27").json() == {
        "grade": "H",
        "label": "H级（7天内成交）",
    }
    b = call(org.rep_a, "GET", "grade-suggestion?expected_purchase_on=2027-01-20", lang="en")
    assert b.json() == {"grade": "B", "label": "B (deal in 1 to 3 months)"}
    deposit = "grade-suggestion?expected_purchase_on=2027-06-01&deposit_paid=true"
    assert call(org.rep_a, "GET", deposit).json()["grade"] == "O"
    missing = call(org.rep_a, "GET", "grade-suggestion")
    assert missing.status_code == 422
    assert "expected_purchase_on" in missing.json()["error"]["fields"]


# --- reminders ------------------------------------------------------------------------------


def test_notifications_list_and_mark_read(org, call):
    for i in range(3):
        activities.notify(user=org.rep_a, kind="test", title=f"提醒{i}")
    activities.notify(user=org.rep_b, kind="test", title="别人的")
    items = call(org.rep_a, "GET", "notifications?limit=2").json()
    assert [n["title"] for n in items["items"]] == ["提醒2", "提醒1"]
    rest = call(org.rep_a, "GET", f"notifications?limit=2&cursor={items['next_cursor']}").json()
    assert [n["title"] for n in rest["items"]] == ["提醒0"]

    first = items["items"][0]["id"]
    assert call(org.rep_a, "POST", "notifications/read", {"ids": [first]}).json() == {"marked": 1}
    unread = call(org.rep_a, "GET", "notifications?unread=true").json()["items"]
    assert [n["title"] for n in unread] == ["提醒1", "提醒0"]
    assert call(org.rep_a, "GET", "today").json()["unread"] == 2
    # another user's ids change nothing; without ids everything is read
    assert call(org.rep_b, "POST", "notifications/read", {"ids": [first - 1]}).json() == {
        "marked": 0
    }
    assert call(org.rep_a, "POST", "notifications/read", {}).json() == {"marked": 2}
    assert call(org.rep_a, "GET", "notifications?unread=true").json()["items"] == []


def test_category_changes_only_through_a_transition(org, call):
    c = make_customer(org.rep_a, name="癸")
    response = call(
        org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "category": "retained"}, lang="en"
    )
    assert response.status_code == 409  # well formed, but not how this customer changes
    assert response.json()["error"]["code"] == "state_conflict"
    assert response.json()["error"]["fields"]["category"].startswith(
        "Category, grade and deal date change through “Change status”"
    )


def test_a_record_dated_before_1901_comes_back_with_an_offset_in_whole_minutes(org, call):
    """Shanghai's local mean time before 1901 is +08:05:43; RFC 3339 clients read ±HH:MM."""
    customer = make_customer(org.rep_a, name="老档案客户")
    response = call(
        org.rep_a,
        "POST",
        f"customers/{customer.pk}/followups",
        {"kind": "call", "content": "补录旧档案", "occurred_at": "1900-06-01T10:00:00+08:00"},
    )
    assert response.status_code == 201, response.content
    occurred = response.json()["occurred_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", occurred)
    assert dt.datetime.fromisoformat(occurred) == dt.datetime(1900, 6, 1, 2, 0, tzinfo=dt.UTC)
