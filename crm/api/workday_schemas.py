"""Request and response shapes of the workday API: follow-ups, plans, transitions, the due
list, Today, settings, notifications and the calendar feed.

As in ``schemas``: inputs check the shape only, the services check the rules (with the same
messages as the web forms); outputs are plain pydantic fed with dicts from ``presenters``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from crm.activities.choices import FollowUpKind, PlanMethod
from crm.customers.choices import Category, Grade

from .schemas import CustomerOut, NoNulIn, Out, RefOut, StrictIn, _enum

# --- follow-up records ------------------------------------------------------------------------


class FollowUpIn(StrictIn):
    kind: str = Field(
        json_schema_extra=_enum(FollowUpKind),
        description="store_visit 到店, visit 拜访 (place, purpose), call 电话 (content), "
        "email 邮件 (subject, recipient, content), meeting, message, callback 回访 "
        "(satisfaction), service",
    )
    occurred_at: datetime | None = Field(None, description="跟进时间；默认为现在，不能晚于现在")
    content: str = Field("", max_length=5000)
    outcome: str = Field("", max_length=200)
    place: str = Field("", max_length=200)
    purpose: str = Field("", max_length=200)
    feedback: str = Field("", max_length=5000, description="客户反馈")
    subject: str = Field("", max_length=200)
    recipient: str = Field("", max_length=200)
    next_step: str = Field("", max_length=200, description="下一步；与 next_at 一起成为新的计划")
    satisfaction: int | None = Field(None, description="满意度 1-5（回访必填）")
    next_at: datetime | None = Field(None, description="下次跟进时间：据此创建跟进计划")
    next_method: str = Field("", json_schema_extra=_enum(PlanMethod, blank=True))
    plan: int | None = Field(None, description="本次跟进完成的计划 id；默认为当天及以前最早的计划")


class FollowUpOut(Out):
    id: int
    customer_id: int
    kind: str
    kind_label: str
    occurred_at: datetime
    staff: RefOut
    content: str
    outcome: str
    place: str
    purpose: str
    feedback: str
    subject: str
    recipient: str
    next_step: str
    satisfaction: int | None
    counted: bool = Field(
        description="是否计入跟进周期与接触状况表（空记录、非销售链人员的记录不计入）"
    )
    created_at: datetime


class FollowUpPage(Out):
    items: list[FollowUpOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class PageParams(NoNulIn):
    cursor: str | None = Field(None, max_length=200)
    limit: int | None = Field(None, ge=1, le=100)


# --- plans ----------------------------------------------------------------------------------


class PlanIn(StrictIn):
    method: str = Field(json_schema_extra=_enum(PlanMethod))
    planned_at: datetime
    content: str = Field("", max_length=5000)
    assignee: int | None = Field(None, description="跟进人员用户 id；默认为调用者本人")


class PlanPatch(StrictIn):
    version: int = Field(description="读取时的版本号；已被他人修改时返回 409 conflict")
    method: str | None = Field(None, json_schema_extra=_enum(PlanMethod))
    planned_at: datetime | None = None
    content: str | None = Field(None, max_length=5000)
    assignee: int | None = None


class PlanCancelIn(StrictIn):
    reason: str = Field("", max_length=500)


class PlanOut(Out):
    id: int
    customer: RefOut
    kind: str
    kind_label: str
    method: str
    method_label: str
    planned_at: datetime
    content: str
    status: str
    status_label: str
    assignee: RefOut
    fulfilled_by: int | None = Field(description="完成该计划的跟进记录 id")
    version: int
    created_at: datetime
    updated_at: datetime


class DayParams(NoNulIn):
    day: date | None = Field(None, description="日期，默认为今天；含此前未完成的计划")


# --- transitions ----------------------------------------------------------------------------


class DefeatIn(StrictIn):
    reason: int | None = Field(None, description="战败原因 id（GET /defeat-reasons）")
    competitor_brand: str = Field("", max_length=50)
    competitor_model: str = Field("", max_length=50)
    tried: str = Field("", max_length=5000, description="采取过的挽回措施")


class TransitionIn(StrictIn):
    version: int = Field(description="客户读取时的版本号；已被他人修改时返回 409 conflict")
    to: str = Field(json_schema_extra=_enum(Category))
    grade: str = Field(
        "", json_schema_extra=_enum(Grade, blank=True), description="变为意向客户时必填"
    )
    reason: str = Field("", max_length=500, description="原因；重新激活战败客户时必填")
    deal_on: date | None = Field(None, description="成交日期；变为保有客户时必填")
    defeat: DefeatIn | None = Field(None, description="战败分析；变为战败客户时必填")
    deposit_amount: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="定金金额（元）；定为 O 级时必填"
    )
    deposit_on: date | None = Field(None, description="收定金日期；定为 O 级时必填")


class DefeatOut(Out):
    id: int
    customer_id: int
    reason: RefOut
    competitor_brand: str
    competitor_model: str
    tried: str
    manager_comment: str
    manager: RefOut | None
    created_at: datetime


class LifecycleEventOut(Out):
    id: int
    at: datetime
    actor: RefOut | None
    from_category: str
    from_category_label: str
    to_category: str
    to_category_label: str
    from_grade: str
    to_grade: str
    reason: str
    defeat: DefeatOut | None


class TransitionOut(Out):
    event: LifecycleEventOut
    customer: CustomerOut


class DefeatCommentIn(StrictIn):
    comment: str = Field(max_length=5000, description="经理意见")


class TimelineItemOut(Out):
    at: datetime
    kind: str = Field(description="followup, plan, lifecycle or change")
    title: str
    actor: str
    detail: dict[str, Any]


# --- the due list and Today -----------------------------------------------------------------


class DueParams(PageParams):
    which: Literal["overdue", "today", "due"] = Field(
        "due", description="overdue 逾期, today 今日到期, due 两者（最早逾期的在前）"
    )


class DueItemOut(Out):
    id: int
    number: str | None
    name: str
    kind: str
    category: str
    category_label: str
    grade: str
    grade_label: str
    next_due_on: date | None
    last_contact_at: datetime | None
    overdue_days: int = Field(description="逾期天数；今日到期为 0")
    tags: list[str]


class DuePage(Out):
    items: list[DueItemOut]
    next_cursor: str | None


class TodayOut(Out):
    day: date
    overdue: int
    due_today: int
    visits_today: int
    callbacks_today: int
    unread: int
    total: int = Field(description="逾期 + 今日到期")


# --- settings -------------------------------------------------------------------------------


class GradePolicyIn(StrictIn):
    grade: str = Field(json_schema_extra=_enum(Grade))
    cadence_days: int | None = Field(None, description="跟进周期（天），1-365")
    deal_within_days: int | None = Field(None, description="预计成交（天内）；空为不限")
    description: str | None = Field(None, max_length=100)


class GradeSettingsIn(StrictIn):
    grades: list[GradePolicyIn]


class GradePolicyOut(Out):
    grade: str
    label: str
    description: str
    cadence_days: int
    deal_within_days: int | None


class GradeSettingsOut(Out):
    grades: list[GradePolicyOut]
    recomputing: list[str] = Field(
        default_factory=list, description="周期改变、正在后台重算应跟进日期的级别"
    )


class LifecycleSettingsIn(StrictIn):
    missed_grace_hours: int = Field(description="计划过期多少小时后记为逾期（0-720）")
    callback_days: list[int] = Field(description="成交后第几天回访，例如 [1, 7, 30, 90]")


class LifecycleSettingsOut(Out):
    missed_grace_hours: int
    callback_days: list[int]


class DefeatReasonOut(Out):
    id: int
    name: str


class GradeSuggestionParams(NoNulIn):
    expected_purchase_on: date = Field(description="预计购买日期")
    deposit_paid: bool = Field(False, description="已交定金（O 级）")


class GradeSuggestionOut(Out):
    grade: str
    label: str


# --- notifications and the calendar ---------------------------------------------------------


class NotificationParams(PageParams):
    unread: bool = Field(False, description="只看未读")


class NotificationOut(Out):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Out):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationsReadIn(StrictIn):
    ids: list[int] | None = Field(None, description="要标为已读的提醒 id；省略则全部标为已读")


class NotificationsReadOut(Out):
    marked: int


class CalendarFeedOut(Out):
    url: str = Field(description="iCalendar 订阅地址（含密钥，请勿外传；重置后旧地址失效）")
