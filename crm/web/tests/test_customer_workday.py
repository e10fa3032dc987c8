"""The customer page as the follow-up rules shape it: its status (next due, last contact, deal
date), one timeline of follow-ups, plans, transitions and changes, the follow-up and plan forms,
变更状态 offering only what 客户管理制度 allows, the defeat analysis with the manager's comment,
and the edit form that leaves category, grade and deal date to the transition."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.activities import services as activities
from crm.activities.models import FollowUp, Plan
from crm.customers import lifecycle
from crm.customers.models import Customer, DefeatAnalysis, DefeatReason, LifecycleEvent
from crm.customers.tests.factories import make_customer
from crm.governance.models import ApprovalRequest
from crm.testing import approved

from .conftest import make_due

HTMX = {"HX-Request": "true"}


def detail(client, customer):
    return client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()


def section(body: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', body, re.S)
    assert match, section_id
    return match.group(0)


def transition_url(customer) -> str:
    return reverse("web:customer_transition", args=[customer.pk])


def offered_moves(body: str) -> list[str]:
    return [str(m) for m in re.findall(r'name="to" value="(\w+)"', body)]


def transition(actor, customer, **kwargs):
    customer.refresh_from_db()
    return lifecycle.customer_transition(
        actor=actor, customer_id=customer.pk, version=customer.version, **kwargs
    )


def defeat(actor, customer):
    """A defeat filed by ``actor`` and, when it is a rep's 战败申请, approved by the manager."""
    reason = DefeatReason.objects.filter(active=True)[0]
    return approved(
        transition(
            actor,
            customer,
            to="defeated",
            defeat={"reason": reason.pk, "tried": "申请了额外优惠", "competitor_brand": "本田"},
        )
    )


# --- status and timeline ----------------------------------------------------------------------


def test_the_page_shows_next_due_last_contact_and_cadence(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    body = detail(as_user(org.rep_a), c)
    status = section(body, "status")
    assert "下次跟进" in status
    assert c.next_due_on.isoformat() in status
    assert "逾期 2 天" in status
    assert "从未跟进" in status
    assert "每 2 天" in status


def test_the_timeline_tells_the_whole_story(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="potential")
    transition(org.rep_a, c, to="intention", grade="B", reason="看中了新款")
    activities.followup_record(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"kind": "visit", "place": "客户公司", "purpose": "送报价", "content": "谈了付款方式"},
    )
    activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=2)},
    )
    transition(org.rep_a, c, to="intention", grade="H", reason="预算已批")
    body = detail(as_user(org.rep_a), c)
    timeline = section(body, "timeline")
    for text in (
        "创建客户",
        "潜在客户 → 意向客户（B 级）",
        "看中了新款",
        "拜访",
        "客户公司",
        "送报价",
        "谈了付款方式",
        "跟进计划（电话）",
        "计划中",
        "意向级别 B → H",
        "预算已批",
    ):
        assert text in timeline, text
    # newest first: the regrade comes before the visit, the visit before the creation
    assert (
        timeline.index("意向级别 B → H") < timeline.index("客户公司") < timeline.index("创建客户")
    )


# --- recording and planning on the customer page ----------------------------------------------


def test_recording_on_the_customer_page_refreshes_status_and_timeline(as_user, org):
    c = make_due(org.rep_a, "王先生", overdue_days=2)
    response = as_user(org.rep_a).post(
        reverse("web:followup_create", args=[c.pk]),
        {
            "on": "customer",
            "slot": "followup",
            "kind": "email",
            "subject": "报价单",
            "recipient": "wang@example.com",
            "content": "附件是报价",
        },
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "报价单" in section(body, "timeline")
    assert "逾期" not in section(body, "status")
    assert re.search(r'<form[^>]*id="followup-form"[^>]*hx-swap-oob="true"', body)  # blank again
    assert FollowUp.objects.get(customer=c).subject == "报价单"


def test_each_kind_asks_for_its_own_fields_and_keeps_the_input(as_user, org):
    c = make_customer(org.rep_a, name="王先生")
    response = as_user(org.rep_a).post(
        reverse("web:followup_create", args=[c.pk]),
        {
            "on": "customer",
            "slot": "followup",
            "kind": "email",
            "subject": "报价单",
            "content": "附件",
        },
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "请填写收件人" in body
    assert 'value="报价单"' in body
    # the form shows every kind's fields, marked for the script that shows the chosen kind's
    assert 'data-kinds="visit meeting"' in body  # place
    assert 'data-kinds="email"' in body  # subject, recipient
    assert 'data-required-for="visit"' in body


def test_plan_a_follow_up_with_an_assignee(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="A")
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=9, minute=30)
    client = as_user(org.manager)
    page = detail(client, c)
    assert "李小红" in section(page, "plans")  # the manager may assign a colleague
    response = client.post(
        reverse("web:plan_create", args=[c.pk]),
        {
            "planned_at": when.strftime("%Y-%m-%dT%H:%M"),
            "method": "meeting",
            "content": "请客户来店面谈",
            "assignee": org.rep_a.pk,
        },
        headers=HTMX,
    )
    body = response.content.decode()
    plans = section(body, "plans")
    assert "请客户来店面谈" in plans
    assert "王小明" in plans
    plan = Plan.objects.get(customer=c)
    assert (plan.assignee, plan.method) == (org.rep_a, "meeting")
    assert "已安排" in body


def test_a_rep_plans_only_for_themselves(as_user, org):
    c = make_customer(org.rep_a, name="王先生")
    page = detail(as_user(org.rep_a), c)
    plans = section(page, "plans")
    assert 'type="hidden" name="assignee"' in plans
    assert "李小红" not in plans


def test_a_plan_with_errors_keeps_the_input(as_user, org):
    c = make_customer(org.rep_a, name="王先生")
    response = as_user(org.rep_a).post(
        reverse("web:plan_create", args=[c.pk]),
        {"planned_at": "", "method": "visit", "content": "带样品"},
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "带样品" in body
    assert "这个字段是必填项" in body or "必填" in body
    assert not Plan.objects.exists()


def test_reschedule_and_cancel_an_open_plan(as_user, org):
    c = make_customer(org.rep_a, name="王先生")
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=1)},
    )
    client = as_user(org.rep_a)
    later = (timezone.localtime() + dt.timedelta(days=4)).replace(hour=16, minute=0)
    prefix = f"p{plan.pk}"
    response = client.post(
        reverse("web:plan_update", args=[c.pk, plan.pk]),
        {
            f"{prefix}-planned_at": later.strftime("%Y-%m-%dT%H:%M"),
            f"{prefix}-method": "visit",
            f"{prefix}-content": "改为上门",
            f"{prefix}-version": plan.version,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.method, plan.content, timezone.localtime(plan.planned_at).hour) == (
        "visit",
        "改为上门",
        16,
    )
    # a stale version is refused and the typed values stay
    response = client.post(
        reverse("web:plan_update", args=[c.pk, plan.pk]),
        {
            f"{prefix}-planned_at": later.strftime("%Y-%m-%dT%H:%M"),
            f"{prefix}-method": "email",
            f"{prefix}-content": "我的改动",
            f"{prefix}-version": 1,
        },
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "该记录已被他人修改" in response.content.decode()
    assert "我的改动" in response.content.decode()

    response = client.post(reverse("web:plan_cancel", args=[c.pk, plan.pk]), headers=HTMX)
    assert response.status_code == 200
    assert "没有待办的跟进计划" in section(response.content.decode(), "plans")
    plan.refresh_from_db()
    assert plan.status == "cancelled"


@pytest.mark.parametrize("persona", ["rep_b", "rep_c", "manager2"])
def test_outsiders_get_404_on_plan_forms(as_user, org, persona):
    c = make_customer(org.rep_a, name="王先生")
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=1)},
    )
    client = as_user(getattr(org, persona))
    create = client.post(
        reverse("web:plan_create", args=[c.pk]),
        {"planned_at": "2099-01-01T10:00", "method": "phone"},
    )
    cancel = client.post(reverse("web:plan_cancel", args=[c.pk, plan.pk]))
    assert (create.status_code, cancel.status_code) == (404, 404)
    plan.refresh_from_db()
    assert plan.status == "planned"
    assert Plan.objects.count() == 1


# --- 变更状态 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "moves"),
    [
        ("potential", ["intention"]),
        ("base", ["intention"]),
        ("intention", ["intention", "retained", "defeated"]),
        ("retained", []),
    ],
)
def test_the_transition_form_offers_only_legal_moves(as_user, org, category, moves):
    grade = "B" if category == "intention" else ""
    c = make_customer(org.rep_a, name="王先生", category=category, grade=grade)
    body = as_user(org.rep_a).get(transition_url(c)).content.decode()
    assert offered_moves(body) == moves
    if not moves:
        assert "没有可办理的状态变更" in body


def test_a_defeated_customer_can_only_be_reactivated(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="B")
    defeat(org.rep_a, c)
    body = as_user(org.rep_a).get(transition_url(c)).content.decode()
    assert offered_moves(body) == ["intention"]
    assert "重新激活为意向客户" in body
    assert "重新激活原因" in body


def test_an_illegal_move_is_refused(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="potential")
    response = as_user(org.rep_a).post(
        transition_url(c), {"to": "retained", "deal_on": "2026-01-01", "version": c.version}
    )
    assert response.status_code == 422
    c.refresh_from_db()
    assert c.category == "potential"
    assert not LifecycleEvent.objects.exists()


def test_to_intention_needs_a_grade_and_the_page_suggests_one(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="potential")
    client = as_user(org.rep_a)
    response = client.post(transition_url(c), {"to": "intention", "grade": "", "version": 1})
    assert response.status_code == 422
    assert "意向客户必须选择意向级别" in response.content.decode()

    in_five_days = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    suggestion = client.get(
        reverse("web:grade_suggest", args=[c.pk]),
        {"expected_purchase_on": in_five_days},
        headers=HTMX,
    ).content.decode()
    assert "按预计购买日期建议：H 级" in suggestion
    assert re.search(r'<option value="H" selected>', suggestion)
    deposit = client.get(
        reverse("web:grade_suggest", args=[c.pk]), {"deposit_paid": "on"}, headers=HTMX
    ).content.decode()
    assert re.search(r'<option value="O" selected>', deposit)

    response = client.post(
        transition_url(c),
        {
            "to": "intention",
            "grade": "H",
            "expected_purchase_on": in_five_days,
            "reason": "下周提车",
            "version": 1,
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.category, c.grade) == ("intention", "H")
    assert str(c.expected_purchase_on) == in_five_days  # kept with the grade
    assert "已变更为意向客户（H 级）" in detail(client, c)


def test_the_expected_purchase_date_on_record_preselects_the_grade(as_user, org):
    soon = timezone.localdate() + dt.timedelta(days=60)
    c = make_customer(org.rep_a, name="王先生", expected_purchase_on=soon.isoformat())
    body = as_user(org.rep_a).get(transition_url(c)).content.decode()
    assert re.search(r'<option value="B" selected>', body)
    assert "按预计购买日期建议：B 级" in body


def test_a_deal_needs_a_date_and_schedules_callbacks(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="H")
    client = as_user(org.rep_a)
    response = client.post(transition_url(c), {"to": "retained", "deal_on": "", "version": 1})
    assert response.status_code == 422
    assert "成交客户必须填写成交日期" in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(transition_url(c), {"to": "retained", "deal_on": today, "version": 1})
    assert response.status_code == 302
    page = detail(client, c)
    assert "已成交" in page
    assert today in section(page, "status")  # the deal date
    # callbacks on days 1, 7, 30 and 90
    assert section(page, "plans").count('class="plan-content">成交后第') == 4


def test_a_defeat_without_its_analysis_is_refused_and_keeps_the_input(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="B")
    response = as_user(org.rep_a).post(
        transition_url(c),
        {
            "to": "defeated",
            "defeat_reason": "",
            "competitor_brand": "本田",
            "competitor_model": "雅阁",
            "tried": "",
            "version": 1,
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "战败客户必须填写战败分析" in body
    assert "请选择战败原因" in body
    assert "请填写采取过的挽回措施" in body
    assert 'value="本田"' in body
    assert 'value="雅阁"' in body
    c.refresh_from_db()
    assert c.category == "intention"


def test_a_stale_transition_is_refused(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="B")
    transition(org.manager, c, to="intention", grade="A")
    response = as_user(org.rep_a).post(
        transition_url(c), {"to": "intention", "grade": "H", "version": 1}
    )
    assert response.status_code == 422
    assert "该记录已被他人修改" in response.content.decode()


def test_the_defeat_analysis_shows_and_the_manager_comments(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="B")
    client = as_user(org.rep_a)
    reason = DefeatReason.objects.filter(active=True)[0]
    response = client.post(
        transition_url(c),
        {
            "to": "defeated",
            "defeat_reason": reason.pk,
            "competitor_brand": "本田",
            "competitor_model": "雅阁",
            "tried": "申请了额外优惠",
            "reason": "",
            "version": 1,
        },
        follow=True,
    )
    # the rep's defeat is a 战败申请: the customer stays until the manager approves
    assert "战败申请已提交，等待经理审批" in response.content.decode()
    assert "战败申请待审批" in detail(client, c)
    c.refresh_from_db()
    assert c.category == "intention"
    waiting = as_user(org.manager).get(reverse("web:approval_list")).content.decode()
    assert "战败申请：王先生" in waiting
    request = ApprovalRequest.objects.get(kind="customers.defeat")
    as_user(org.manager).post(
        reverse("web:approval_decide", args=[request.pk]), {"decision": "approve"}
    )
    client = as_user(org.rep_a)
    page = detail(client, c)
    card = section(page, "defeat")
    for text in (
        "战败客户分析表",
        reason.name,
        "本田",
        "雅阁",
        "申请了额外优惠",
        "经理尚未填写意见",
    ):
        assert text in card
    assert "manager_comment" not in card  # a rep does not comment
    analysis = DefeatAnalysis.objects.get(customer=c)
    url = reverse("web:defeat_comment", args=[c.pk, analysis.pk])
    assert client.post(url, {"manager_comment": "价格策略要调整"}).status_code == 403

    manager = as_user(org.manager)
    assert "manager_comment" in section(detail(manager, c), "defeat")
    response = manager.post(url, {"manager_comment": "价格策略要调整"})
    assert response.status_code == 302
    card = section(detail(manager, c), "defeat")
    assert "价格策略要调整" in card
    assert "陈经理" in card
    assert as_user(org.manager2).post(url, {"manager_comment": "x"}).status_code == 404


def test_reactivation_needs_a_reason(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="B")
    defeat(org.rep_a, c)
    c.refresh_from_db()
    client = as_user(org.rep_a)
    data = {"to": "intention", "grade": "C", "reason": "", "version": c.version}
    response = client.post(transition_url(c), data)
    assert response.status_code == 422
    assert "重新激活战败客户须说明原因" in response.content.decode()
    response = client.post(transition_url(c), {**data, "reason": "客户的车出了问题又来了"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=c.pk).category == "intention"


@pytest.mark.parametrize(
    ("persona", "status"), [("rep_b", 404), ("manager2", 404), ("sysadmin", 403)]
)
def test_transition_follows_the_scope(as_user, org, persona, status):
    c = make_customer(org.rep_a, name="王先生", category="potential")
    client = as_user(getattr(org, persona))
    assert client.get(transition_url(c)).status_code == status
    post = client.post(transition_url(c), {"to": "intention", "grade": "H", "version": 1})
    assert post.status_code == status
    assert Customer.objects.get(pk=c.pk).category == "potential"


# --- the edit form ----------------------------------------------------------------------------


def test_the_edit_form_shows_category_and_grade_read_only(as_user, org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="H")
    client = as_user(org.rep_a)
    body = client.get(reverse("web:customer_edit", args=[c.pk])).content.decode()
    assert 'name="category"' not in body
    assert 'name="grade"' not in body
    assert "意向客户" in body
    assert transition_url(c) in body
    assert 'name="expected_purchase_on"' in body
    # a crafted post cannot change them either
    response = client.post(
        reverse("web:customer_edit", args=[c.pk]),
        {
            "kind": "person",
            "name": "王先生",
            "phone": c.phone,  # kept: a changed phone would be a change request
            "category": "retained",
            "grade": "",
            "version": c.version,
            "city": "杭州",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.category, c.grade, c.city) == ("intention", "H", "杭州")
