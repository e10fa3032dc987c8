"""How customers and their history read on a page: Chinese labels, choice names, the operation
log as "who did what, which field went from what to what". Presentation only; no rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.accounts import selectors as accounts
from crm.activities.choices import FollowUpKind, PlanMethod, PlanStatus
from crm.core.validators import format_phone
from crm.customers.choices import (
    Category,
    CompanyType,
    ContactRole,
    Gender,
    Grade,
    Kind,
    ShareMode,
)
from crm.customers.inputs import INTERNATIONAL_FIELDS
from crm.customers.models import Customer
from crm.customers.sources import source_names
from crm.governance.masking import Masker, masked_fields
from crm.governance.models import AuditEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

FIELD_LABELS: dict[str, StrPromise] = {
    "number": _("客户编号"),
    "kind": _("类型"),
    "name": _("名称"),
    "phone": _("电话"),
    "email": _("邮箱"),
    "wechat": _("微信号"),
    "id_number": _("身份证号码"),
    "credit_code": _("统一社会信用代码"),
    "company": _("单位名称"),
    "address": _("地址"),
    "city": _("城市"),
    "bank_name": _("开户银行"),
    "bank_account": _("银行账号"),
    "staff_count": _("员工人数"),
    "annual_revenue": _("年营业额（万元）"),
    "main_business": _("主营业务"),
    "needs": _("客户需求"),
    "feedback": _("客户反馈"),
    "source": _("认知途径"),
    "category": _("客户类别"),
    "grade": _("意向级别"),
    "expected_purchase_on": _("预计购买日期"),
    "deal_on": _("成交日期"),
    "owner": _("负责人"),
    "department": _("所属部门"),
    "tags": _("标签"),
    "notes": _("备注"),
    "fax": _("传真"),
    "country": _("国家/地区"),
    "website": _("网址"),
    "language": _("沟通语言"),
    "time_zone": _("时区"),
    "company_type": _("公司性质"),
    "currency": _("结算币种"),
    "created_by": _("录入人"),
    "created_at": _("创建时间"),
    "updated_at": _("更新时间"),
    "deleted_at": _("删除时间"),
    "deleted_by": _("删除人"),
    "contact.name": _("联系人姓名"),
    "contact.role": _("联系人职务"),
    "contact.title": _("职位名称"),
    "contact.phone": _("联系人电话"),
    "contact.wechat": _("联系人微信号"),
    "contact.age": _("联系人年龄"),
    "contact.gender": _("联系人性别"),
    "contact.hobbies": _("联系人爱好"),
    "contact.notes": _("联系人备注"),
    "followup.kind": _("跟进方式"),
    "followup.content": _("跟进内容"),
    "plan.method": _("计划跟进方式"),
    "plan.planned_at": _("计划时间"),
    "plan.assignee": _("跟进人员"),
    "plan.content": _("计划内容"),
    "plan.status": _("计划状态"),
    "manager_comment": _("经理意见"),
    "share.user": _("共享给"),
    "share.mode": _("共享权限"),
    "share.until": _("共享至"),
}

VERB_LABELS: dict[str, StrPromise] = {
    "customer.created": _("创建"),
    "customer.updated": _("修改"),
    "customer.viewed": _("查看"),
    "customer.history_viewed": pgettext_lazy("audit", "查看操作记录"),
    "customer.contacts_viewed": pgettext_lazy("audit", "查看联系人"),
    "customer.followups_viewed": pgettext_lazy("audit", "查看跟进记录"),
    "customer.plans_viewed": pgettext_lazy("audit", "查看跟进计划"),
    "customer.timeline_viewed": pgettext_lazy("audit", "查看时间线"),
    "customer.deleted": _("删除"),
    "customer.restored": _("恢复"),
    "customer.contact_added": _("添加联系人"),
    "customer.contact_changed": _("修改联系人"),
    "customer.contact_removed": _("删除联系人"),
    "customer.followed_up": _("记录跟进"),
    "customer.plan_added": _("安排计划"),
    "customer.plan_changed": _("修改计划"),
    "customer.plan_cancelled": _("取消计划"),
    "customer.category_changed": _("变更类别"),
    "customer.regraded": _("调整级别"),
    "customer.defeat_commented": _("经理意见"),
    "customer.followup_commented": _("点评跟进"),
    "customer.attachments_added": _("上传附件"),
    "customer.attachment_viewed": pgettext_lazy("audit", "查看附件"),
    "customer.shared": pgettext_lazy("audit", "共享给同事"),
    "customer.share_changed": pgettext_lazy("audit", "修改共享"),
    "customer.unshared": pgettext_lazy("audit", "取消共享"),
    "customer.owner_changed": pgettext_lazy("audit", "更换负责人"),
    "customer.assigned_at_reception": pgettext_lazy("audit", "来访时分配负责人"),
    "reception.lookup": pgettext_lazy("audit", "前台查询是否老客户"),
    # the public pool (crm.pool): each change of owner with its reason
    "customer.returned_to_pool": _("收回公海"),
    "customer.released_to_pool": _("放入公海"),
    "customer.claimed_from_pool": _("从公海领取"),
    "customer.assigned_from_pool": _("从公海分配"),
    "customer.pool_locked": _("锁定防收回"),
    "customer.pool_unlocked": _("解除防收回锁定"),
    # 密级 (crm.governance.confidentiality): a masked field revealed, one entry each
    "customer.field_revealed": pgettext_lazy("audit", "查看被遮挡字段"),
    # 数据核查 (crm.verification): the supplying rep's answer
    "verification.confirmed": _("数据核查：确认无误"),
    "verification.corrected": _("数据核查：已更正"),
    # 调查表 (crm.questionnaires)
    "questionnaire.answered": pgettext_lazy("audit", "填写调查表"),
}

# Changes are listed in form order; fields unknown here (added by later issues) come last.
_FIELD_ORDER: dict[str, int] = {name: i for i, name in enumerate(FIELD_LABELS)}

_CHOICES: dict[str, type[models.TextChoices]] = {
    "kind": Kind,
    "category": Category,
    "grade": Grade,
    "contact.role": ContactRole,
    "contact.gender": Gender,
    "followup.kind": FollowUpKind,
    "plan.method": PlanMethod,
    "plan.status": PlanStatus,
    "share.mode": ShareMode,
    "company_type": CompanyType,
}
_USER_FIELDS = frozenset({"owner", "created_by", "deleted_by", "plan.assignee", "share.user"})
# derived follow-up state: it changes with every follow-up and plan, the timeline tells why
_HIDDEN_FIELDS = frozenset(
    {"id", "number", "version", "graded_at", "last_contact_at", "next_plan_on", "next_due_on"}
)
_TIME_FIELDS = frozenset({"deleted_at", "plan.planned_at"})

# The order fields are shown in on the detail page, by section.
DETAIL_SECTIONS: tuple[tuple[StrPromise, tuple[str, ...]], ...] = (
    (
        _("基本信息"),
        (
            "number",
            "kind",
            "phone",
            "wechat",
            "email",
            "category",
            "grade",
            "source",
            "owner",
            "department",
            "tags",
        ),
    ),
    (
        _("身份与单位"),
        (
            "id_number",
            "credit_code",
            "company",
            "address",
            "city",
            "staff_count",
            "annual_revenue",
            "main_business",
            "bank_name",
            "bank_account",
        ),
    ),
    (_("国际客户"), INTERNATIONAL_FIELDS),
    (_("需求与反馈"), ("needs", "feedback", "notes")),
    (_("记录"), ("created_by", "created_at", "updated_at")),
)
_LONG_TEXT = frozenset({"needs", "feedback", "notes", "address", "main_business"})


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str
    long: bool = False
    masked: bool = False  # shown masked (密级): a reveal button for those allowed to


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    verb: str
    verb_label: str
    changes: list[Change]
    reason: str
    count: int = 1  # consecutive views by the same person are shown as one line

    @property
    def kind(self) -> str:
        """``created``, ``viewed``… (for styling; every kind of read is ``viewed``)."""
        kind = self.verb.rsplit(".", 1)[-1]
        return "viewed" if kind.endswith("viewed") else kind


def label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def customer_fields(customer: Customer) -> list[tuple[str, list[Field]]]:
    """The customer's fields by section, each with its Chinese label and display value; pass
    the display copy (crm.governance.masking): its masked fields are marked."""
    masked = masked_fields(customer)
    values: dict[str, Any] = {
        "kind": customer.get_kind_display(),
        "category": customer.get_category_display(),
        "grade": customer.get_grade_display(),
        "source": source_names([customer.source]).get(customer.source, customer.source),
        "owner": customer.owner.display_name if customer.owner else _("公海"),
        "department": customer.department.name if customer.department else "",
        "tags": customer.tag_names,
        "created_by": customer.created_by.display_name if customer.created_by else "",
        "phone": format_phone(customer.phone),
        "fax": format_phone(customer.fax),
        "country": customer.get_country_display(),
        "language": customer.get_language_display(),
        "currency": customer.get_currency_display(),
        "company_type": customer.get_company_type_display(),
        "id_number": customer.id_number,
        "bank_account": customer.bank_account,
    }
    sections = []
    for title, names in DETAIL_SECTIONS:
        fields = [
            Field(
                n,
                label(n),
                _text(values[n] if n in values else getattr(customer, n)),
                n in _LONG_TEXT,
                n in masked,
            )
            for n in names
        ]
        if names is INTERNATIONAL_FIELDS and all(f.value == "—" for f in fields):
            continue  # a domestic customer: no empty section of foreign-trade fields
        sections.append((str(title), fields))
    return sections


class _Names:
    """User and department names for the ids found in a batch of audit diffs (two queries)."""

    def __init__(self, events: Sequence[AuditEvent]) -> None:
        users: set[int] = set()
        departments: set[int] = set()
        for event in events:
            for field, pair in (event.changes or {}).items():
                if field in _USER_FIELDS:
                    users.update(v for v in pair if isinstance(v, int))
                elif field == "department":
                    departments.update(v for v in pair if isinstance(v, int))
        self.users = accounts.user_names(users)
        self.departments = accounts.department_names(departments)
        sourced = any("source" in (event.changes or {}) for event in events)
        self.sources = source_names() if sourced else {}

    def show(self, field: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if field in _USER_FIELDS:
            return self.users.get(value, f"#{value}")
        if field == "department":
            return self.departments.get(value, f"#{value}")
        if field == "source":
            return self.sources.get(value, str(value))
        if field in _CHOICES:
            choices = _CHOICES[field]
            return str(choices(value).label) if value in choices.values else str(value)
        if field in _TIME_FIELDS and isinstance(value, str):
            try:
                return _text(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
        return _text(value)


def history_entries(
    events: Iterable[AuditEvent], *, masker: Masker, customer: Customer
) -> list[HistoryEntry]:
    """The operation log of a customer, newest first, in words a sales rep reads; the values
    of fields above the reader's level masked."""
    events = list(events)
    names = _Names(events)
    entries: list[HistoryEntry] = []
    for event in events:
        last = entries[-1] if entries else None
        if (
            last is not None
            and event.verb == last.verb
            and event.verb.endswith("viewed")
            and event.actor_name == last.actor
        ):
            entries[-1] = replace(last, count=last.count + 1)
            continue
        diff = masker.changes(event.changes or {}, customer)
        fields = sorted(diff, key=lambda f: _FIELD_ORDER.get(f, len(_FIELD_ORDER)))
        changes = [
            Change(label(field), names.show(field, pair[0]), names.show(field, pair[1]))
            for field in fields
            if field not in _HIDDEN_FIELDS
            and isinstance(pair := diff[field], list)
            and len(pair) == 2
        ]
        entries.append(
            HistoryEntry(
                at=event.created_at,
                actor=event.actor_name or "—",
                verb=event.verb,
                verb_label=str(VERB_LABELS.get(event.verb, event.verb)),
                changes=changes,
                reason=event.reason or _revealed_field(event),
            )
        )
    return entries


def _revealed_field(event: AuditEvent) -> str:
    field = (event.details or {}).get("field") if event.verb == "customer.field_revealed" else None
    return label(field) if isinstance(field, str) else ""
