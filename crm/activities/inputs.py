"""The declared inputs of the workday (see ``crm.core.inputs``): a follow-up record, a plan
(whole, or changed in part), a plan's cancellation, and the reminders to mark as read.

What each kind of record must say (the seed's forms) is ``REQUIRED_BY_KIND``: the services check
it, the web form marks the fields, the API documents it in the JSON Schema (``if``/``then``).
Bounds relative to the clock (a record not in the future, a plan not before yesterday) are the
services' (``followup_rules``): JSON Schema cannot state them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy
from pydantic import Field

from crm.core.inputs import (
    MAX_ID,
    NOT_BLANK,
    WHITESPACE,
    Choice,
    Input,
    Integer,
    Moment,
    RowResult,
    Text,
    partial,
    validate_row,
)

from .choices import FollowUpKind, PlanMethod

# what each kind of record must say (the seed's forms)
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    FollowUpKind.VISIT: ("place", "purpose"),
    FollowUpKind.CALL: ("content",),
    FollowUpKind.EMAIL: ("subject", "recipient", "content"),
    FollowUpKind.CALLBACK: ("satisfaction",),
}
LABELS = {  # inside "请填写%(label)s": lower case in English
    "place": pgettext_lazy("in a sentence", "地点"),
    "purpose": pgettext_lazy("in a sentence", "目的"),
    "content": pgettext_lazy("in a sentence", "内容"),
    "subject": pgettext_lazy("in a sentence", "邮件主题"),
    "recipient": pgettext_lazy("in a sentence", "收件人"),
    "satisfaction": pgettext_lazy("in a sentence", "满意度"),
}
CLOCK_SLACK = dt.timedelta(minutes=5)  # a client's clock a little ahead is not the future
NOTIFICATIONS_MAX = 100  # reminders marked read in one request
Id = Annotated[int, Integer(1, MAX_ID)]
Method = Annotated[str, Choice(PlanMethod, message=gettext_noop("请选择跟进方式"))]


def _required(fields: tuple[str, ...]) -> dict[str, Any]:
    properties = {
        f: {"type": "integer"} if f == "satisfaction" else {"type": "string", "pattern": NOT_BLANK}
        for f in fields
    }
    return {"required": list(fields), "properties": properties}


class FollowUpInput(Input):
    """跟进记录: a visit (place, purpose), a call (content), an e-mail (subject, recipient,
    content), a callback (satisfaction), a store visit, meeting, message or service note."""

    model_config = {
        "json_schema_extra": {
            "allOf": [
                {
                    "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                    "then": _required(fields),
                }
                for kind, fields in REQUIRED_BY_KIND.items()
            ]
        }
    }

    kind: Annotated[str, Choice(FollowUpKind, message=gettext_noop("请选择跟进方式"))]
    occurred_at: Annotated[dt.datetime, Moment()] | None = Field(
        None, description="跟进时间；默认为现在，不能晚于现在"
    )
    content: Annotated[str, Text(5000, area=True)] = ""
    outcome: Annotated[str, Text(200)] = ""
    place: Annotated[str, Text(200)] = ""
    purpose: Annotated[str, Text(200)] = ""
    feedback: Annotated[str, Text(5000, area=True)] = Field("", description="客户反馈")
    subject: Annotated[str, Text(200)] = ""
    recipient: Annotated[str, Text(200)] = ""
    next_step: Annotated[str, Text(200)] = Field(
        "", description="下一步；与 next_at 一起成为新的计划"
    )
    satisfaction: Annotated[int, Integer(1, 5)] | None = Field(
        None, description="满意度 1-5（回访必填）"
    )
    next_at: Annotated[dt.datetime, Moment()] | None = Field(
        None, description="下次跟进时间（不早于现在）：据此创建跟进计划"
    )
    next_method: Annotated[str, Choice(PlanMethod, blank=True)] = ""
    plan: Id | None = Field(None, description="本次跟进完成的计划 id；默认为当天及以前最早的计划")


def followup_rules(values: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, str]:
    """What the kind requires, and the bounds the clock sets."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    for field in REQUIRED_BY_KIND.get(str(values.get("kind")), ()):
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip(WHITESPACE)):
            errors[field] = _("请填写%(label)s") % {"label": LABELS[field]}
    occurred = values.get("occurred_at")
    if isinstance(occurred, dt.datetime) and occurred > now + CLOCK_SLACK:
        errors["occurred_at"] = _("跟进时间不能晚于现在")
    next_at = values.get("next_at")
    if isinstance(next_at, dt.datetime) and next_at < now - CLOCK_SLACK:
        errors["next_at"] = _("下次跟进时间应在将来")
    return errors


def followup_row(row: Mapping[str, Any]) -> RowResult:
    """One row of an import of follow-up records (the customer's column is the import's)."""
    return validate_row(FollowUpInput, row, rules=followup_rules)


class PlanInput(Input):
    """客户跟进计划表: date and time, method, content, the person who follows up."""

    method: Method
    planned_at: Annotated[dt.datetime, Moment()] = Field(description="计划时间，不早于昨天")
    content: Annotated[str, Text(5000, area=True)] = ""
    assignee: Id | None = Field(None, description="跟进人员用户 id；默认为本人")


PlanChange = partial(PlanInput, name="PlanChange", doc="A change to an open plan.")


def plan_rules(values: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, str]:
    planned = values.get("planned_at")
    now = now or timezone.now()
    if planned is not None and planned < now - dt.timedelta(days=1):
        return {"planned_at": _("计划时间不能早于昨天")}
    return {}


class FollowUpCommentInput(Input):
    """点评: a manager's comment on a follow-up record."""

    comment: Annotated[
        str, Text(2000, required=True, area=True, message=gettext_noop("请填写点评"))
    ] = Field(description="经理点评")


class PlanCancelInput(Input):
    reason: Annotated[str, Text(500, area=True)] = ""


class NotificationsReadInput(Input):
    ids: Annotated[list[Id], Field(max_length=NOTIFICATIONS_MAX)] | None = Field(
        None, description="要标为已读的提醒 id（最多 100 个）；省略则全部标为已读"
    )
