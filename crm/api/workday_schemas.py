"""Request and response shapes of the workday API: follow-ups, plans, transitions, the due
list, Today, settings, notifications and the calendar feed.

As in ``schemas``: request bodies are the declared inputs (``crm.activities.inputs``,
``crm.customers.inputs``) under the API's names; outputs are plain pydantic fed with dicts from
``presenters``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from crm.activities.inputs import (
    FollowUpCommentInput,
    FollowUpInput,
    NotificationsReadInput,
    PlanCancelInput,
    PlanInput,
)
from crm.core.inputs import Day, partial
from crm.core.pagination import ID_CURSOR, KEY_CURSOR
from crm.customers.inputs import (
    DefeatCommentInput,
    GradeTableInput,
    LifecycleSettingsInput,
    TransitionInput,
)

from .schemas import CustomerOut, NoNulIn, Out, RefOut, Version

# --- follow-up records ------------------------------------------------------------------------


class FollowUpCommentIn(FollowUpCommentInput):
    """点评."""


class FollowUpIn(FollowUpInput):
    """A follow-up record. ``occurred_at`` not in the future; ``next_at`` not in the past."""


class AttachmentOut(Out):
    id: int
    name: str
    content_type: str
    size: int = Field(description="字节")
    url: str = Field(description="下载地址（GET，需登录；每次打开都记入查阅登记）")


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
    attachments: list[AttachmentOut] = Field(description="照片和文件")
    comment: str = Field(description="经理点评")
    commented_by: RefOut | None
    commented_at: datetime | None
    created_at: datetime


class FollowUpPage(Out):
    items: list[FollowUpOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class PageParams(NoNulIn):
    cursor: str | None = Field(
        None, pattern=KEY_CURSOR, description="上一页返回的 next_cursor；省略为第一页"
    )
    limit: int | None = Field(None, ge=1, le=100)


# --- plans ----------------------------------------------------------------------------------


class PlanIn(PlanInput):
    """A follow-up plan (客户跟进计划表)."""


if TYPE_CHECKING:  # derived at run time; to the type checker, the input it is made from
    PlanPatch = PlanInput
else:
    PlanPatch = partial(
        PlanInput,
        name="PlanPatch",
        doc="Reschedule, reword or reassign an open plan (a closed one: 409 state_conflict).",
        version=(Version, ...),
    )


class PlanCancelIn(PlanCancelInput):
    """Why the plan is cancelled (optional)."""


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
    day: Annotated[date, Day()] | None = Field(
        None, description="日期，默认为今天；含此前未完成的计划"
    )


# --- transitions ----------------------------------------------------------------------------


class TransitionIn(TransitionInput):
    """A change of category or grade; what the target requires is in the schema, what the
    customer's current category allows is a 409 ``state_conflict``."""

    version: Version


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


class DefeatCommentIn(DefeatCommentInput):
    """The manager's comment (经理意见)."""


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


class GradeSettingsIn(GradeTableInput):
    """Rows of the grade table; a field left out keeps its value."""


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


class LifecycleSettingsIn(LifecycleSettingsInput):
    """The follow-up settings."""


class LifecycleSettingsOut(Out):
    missed_grace_hours: int
    callback_days: list[int]
    defeat_needs_approval: bool


class CompetitorOut(Out):
    brand: str
    models: list[str]


class DefeatReasonOut(Out):
    id: int
    name: str


class GradeSuggestionParams(NoNulIn):
    expected_purchase_on: Annotated[date, Day()] = Field(description="预计购买日期")
    deposit_paid: bool = Field(False, description="已交定金（O 级）")


class GradeSuggestionOut(Out):
    grade: str
    label: str


# --- notifications and the calendar ---------------------------------------------------------


class NotificationParams(NoNulIn):
    cursor: str | None = Field(
        None, pattern=ID_CURSOR, description="上一页返回的 next_cursor；省略为第一页"
    )
    limit: int | None = Field(None, ge=1, le=100)
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


class NotificationsReadIn(NotificationsReadInput):
    """The reminders to mark as read (all, when ``ids`` is left out)."""


class NotificationsReadOut(Out):
    marked: int


class CalendarFeedOut(Out):
    url: str = Field(description="iCalendar 订阅地址（含密钥，请勿外传；重置后旧地址失效）")
