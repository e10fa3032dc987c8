"""The declared inputs of the pools (see ``crm.core.inputs``): a pool with its parameters,
members and administrators; a return rule; a claim; an assignment; a lock against return."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Input, Integer, Text
from crm.customers.choices import Category, Grade

from .choices import HideableField, RuleKind

Id = Annotated[int, Integer(1, MAX_ID)]
CLAIM_MAX = 100  # customers in one request
MEMBERS_MAX = 500


class PoolInput(Input):
    """公海: its name, department or region, members and administrators, the fields hidden until
    a customer is claimed, and the parameters of claiming and returning."""

    name: Annotated[str, Text(50, required=True, message=gettext_noop("请填写公海名称"))] = Field(
        description="公海名称"
    )
    department: Id | None = Field(None, description="所属部门 id；可不填")
    region: Annotated[str, Text(50)] = Field("", description="区域，例如 华东")
    members: Annotated[list[Id], Field(max_length=MEMBERS_MAX)] = Field(
        default_factory=list, description="成员用户 id：可领取，其客户按规则收回到此公海"
    )
    admins: Annotated[list[Id], Field(max_length=MEMBERS_MAX)] = Field(
        default_factory=list, description="管理员用户 id：可从公海分配客户"
    )
    hidden_fields: Annotated[
        list[Annotated[str, Choice(HideableField)]], Field(max_length=len(HideableField.values))
    ] = Field(default_factory=list, description="领取前对成员隐藏的字段")
    warn_days: Annotated[int, Integer(0, 365)] = Field(3, description="收回前几天提醒负责人")
    reclaim_days: Annotated[int, Integer(0, 3650)] = Field(
        30, description="原负责人几天内不可再领取"
    )
    claims_per_day: Annotated[int, Integer(0, 10000)] = Field(10, description="每人每天可领取数")
    claims_per_time: Annotated[int, Integer(1, CLAIM_MAX)] = Field(5, description="每次可领取数")
    cap_per_rep: Annotated[int, Integer(0, 1000000)] = Field(
        0, description="每人名下客户上限（领取与分配都受限）；0 为不限"
    )


class RuleInput(Input):
    """收回规则: customers of the pool's members of this grade and category (blank: any) return
    after ``days`` days without a follow-up, a new opportunity or a deal."""

    kind: Annotated[str, Choice(RuleKind, message=gettext_noop("请选择收回条件"))] = Field(
        description="no_followup 未跟进 / no_opportunity 无新商机 / no_deal 未成交"
    )
    days: Annotated[int, Integer(1, 3650)] = Field(description="天数")
    grade: Annotated[str, Choice(Grade, blank=True)] = Field("", description="意向级别；空为全部")
    category: Annotated[str, Choice(Category, blank=True)] = Field(
        "", description="客户类别；空为全部"
    )
    include_deals: bool = Field(False, description="已成交客户也按此规则收回（默认豁免）")


class ClaimInput(Input):
    customers: Annotated[list[Id], Field(min_length=1, max_length=CLAIM_MAX)] = Field(
        description="要领取的公海客户 id"
    )


class AssignInput(Input):
    customers: Annotated[list[Id], Field(min_length=1, max_length=CLAIM_MAX)] = Field(
        description="要分配的公海客户 id"
    )
    owner: Id = Field(description="分配给的用户 id")


class LockInput(Input):
    reason: Annotated[str, Text(300, required=True, message=gettext_noop("请填写锁定原因"))] = (
        Field(description="锁定原因")
    )
