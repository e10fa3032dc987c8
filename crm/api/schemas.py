"""Request and response shapes of the API (pydantic through django-ninja).

Request bodies are the entities' declared inputs (``crm.customers.inputs``…) under the API's
names, or partial copies of them for PATCH, built once at import: every length, choice, pattern,
range and list size in the OpenAPI document is the one the services enforce, and the services
refuse with the same messages as the web forms. Query parameters are declared here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.utils.translation import gettext as _
from ninja import Path, Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from crm.core.inputs import DATE_PATTERN, MAX_ID, Day, Integer, Text, partial
from crm.customers.choices import ContactRole
from crm.customers.inputs import ContactInput, CustomerInput
from crm.customers.selectors import MAX_LIMIT


class NoNulIn(Schema):
    """Text may not carry NUL characters: PostgreSQL cannot store them (a 500 otherwise), and
    Django's own form fields refuse them too."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError(_("不能包含空字符"))
        return value


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


# Query parameters that may also be sent empty, as a form would send them (then left out).
QueryId = Annotated[
    Annotated[int, Field(ge=1, le=MAX_ID)] | None,
    BeforeValidator(_blank_is_none),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID}, {"const": ""}]}
    ),
]
QueryDay = Annotated[
    Annotated[date, Day()] | None,
    BeforeValidator(_blank_is_none),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date", "pattern": DATE_PATTERN}, {"const": ""}]}
    ),
]


QueryLimit = Annotated[  # rows per page (empty: the default)
    Annotated[int, Field(ge=1, le=MAX_LIMIT)] | None,
    BeforeValidator(_blank_is_none),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, {"const": ""}]}
    ),
]


PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 id")]


class StrictIn(NoNulIn):
    """Input: a field the API does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class ExistingRef(Schema):
    number: str | None = Field(description="客户编号；该客户不在调用者权限范围内时为 null")
    owner_name: str


class ErrorDetail(Schema):
    code: str = Field(
        description="not_authenticated, forbidden, not_found, duplicate, conflict, "
        "state_conflict, invalid, bad_request, locked_out"
    )
    message: str
    fields: dict[str, str] = Field(default_factory=dict, description="字段名 → 错误信息")
    existing: ExistingRef | None = Field(None, description="仅 duplicate：已有的重复客户")
    current_version: int | None = Field(None, description="仅 conflict：记录的当前版本")


class ErrorOut(Schema):
    error: ErrorDetail


# --- accounts -------------------------------------------------------------------------------


class TokenIn(StrictIn):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    name: str = Field("", max_length=100, description="令牌名称，便于日后识别")
    code: str = Field(
        "", max_length=20, description="已启用两步验证的用户：验证器中的 6 位验证码或一个恢复码"
    )


class TokenOut(Schema):
    token: str


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="令牌 crm_ 之后的前 8 个字符，用于辨认")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime = Field(
        description="到期时间（创建后 API_TOKEN_MAX_AGE_DAYS 天，默认 90 天）；修改密码后令牌即失效"
    )


class Ref(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    phone: str
    role: str
    role_label: str
    department: Ref | None
    data_scope: str = Field(description="查看客户的数据范围：none/own/assigned/department/all")
    actions: list[str]
    grants: dict[str, str] = Field(description="每项权限及其数据范围")


# --- customers ------------------------------------------------------------------------------


class CustomerIn(CustomerInput):
    """A new customer. Duplicates (phone, ID number, credit code, organisation name): 409."""


Version = Annotated[
    int,
    Integer(1, MAX_ID),
    Field(description="读取时的版本号；已被他人修改时返回 409 conflict"),
]

ChangeReason = Annotated[
    str,
    Text(500),
    Field(
        description="变更原因：无权直接修改客户主数据（名称、电话、身份证号码、统一社会信用代码、"
        "负责人）时必填，这些字段的修改成为客户资料变更申请（202）"
    ),
]

if TYPE_CHECKING:  # derived at run time; to the type checker, the input it is made from
    CustomerPatch = CustomerInput
    ContactPatch = ContactInput
else:
    CustomerPatch = partial(
        CustomerInput,
        name="CustomerPatch",
        doc="Some fields of a customer; what is left out stays. Category, grade and deal date "
        "change through a transition (a different value: 409 state_conflict).",
        exclude=("defeat",),
        version=(Version, ...),
        change_reason=(ChangeReason, ""),
    )
    ContactPatch = partial(
        ContactInput,
        name="ContactPatch",
        doc="Some fields of a contact. With ``version`` (as read), a stale edit is a 409.",
        version=(Version | None, None),
    )


class Out(BaseModel):
    """Plain pydantic output (fed with dicts from crm.api.presenters: cheaper than ninja's
    attribute getter when a page carries a hundred customers)."""


class RefOut(Out):
    id: int
    name: str


class CustomerOut(Out):
    id: int
    number: str | None
    kind: str
    kind_label: str
    name: str
    phone: str
    wechat: str
    email: str
    id_number: str
    credit_code: str
    company: str
    address: str
    city: str
    bank_name: str
    bank_account: str
    staff_count: int | None
    annual_revenue: Decimal | None
    main_business: str
    needs: str
    feedback: str
    source: str
    source_label: str
    category: str
    category_label: str
    grade: str
    grade_label: str
    expected_purchase_on: date | None
    deal_on: date | None
    deposit_amount: Decimal | None
    deposit_on: date | None
    owner: RefOut | None
    department: RefOut | None
    tags: list[str]
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(description="仅回收站中的客户有值")
    fax: str = Field(description="传真：中国大陆号码为数字，其他为 E.164（+442079460958）")
    country: str = Field(description="国家/地区（ISO 3166-1 两位代码）")
    country_label: str
    website: str
    language: str = Field(description="沟通语言（ISO 639-1）")
    language_label: str
    time_zone: str = Field(description="IANA 时区")
    company_type: str
    company_type_label: str
    currency: str = Field(description="结算币种（ISO 4217）")
    currency_label: str


class CustomerPage(Out):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class SourceOut(Schema):
    code: str
    name: str = Field(description="名称，如公司所填")
    label: str = Field(description="显示名称（预置途径随语言显示）")
    active: bool = Field(description="是否供新客户选择；停用的途径保留在已有客户上")

    @staticmethod
    def resolve_label(obj: Any) -> str:
        from crm.customers.sources import label

        return label(obj)


class CustomerCount(Out):
    count: int | None = Field(description="客户数（超过上限时为上限）；文本搜索不计数时为 null")
    exact: bool = Field(description="是否为准确数；false：超过 count 位")


class TagOut(Schema):
    id: int
    name: str
    color: str


# --- contacts -------------------------------------------------------------------------------


class ContactIn(ContactInput):
    """A contact person of an organisation."""


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    role: str
    role_label: str
    title: str
    phone: str
    wechat: str
    age: int | None
    gender: str
    hobbies: str
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(ContactRole(obj.role).label) if obj.role in ContactRole.values else ""


# --- history --------------------------------------------------------------------------------


class HistoryOut(Schema):
    id: int
    created_at: datetime
    actor: str
    actor_id: int | None
    verb: str
    changes: dict[str, Any] = Field(description="字段名 → [修改前, 修改后]")
    reason: str
    request_id: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_name)


# --- approvals --------------------------------------------------------------------------------


class ApprovalStepOut(Schema):
    position: int
    label: str
    state: str = Field(description="waiting, pending, approved, rejected")
    state_label: str
    decided_by: str | None
    decided_at: datetime | None
    note: str


class ApprovalOut(Schema):
    id: int
    kind: str = Field(
        description="accounts.user_role, accounts.role_grants, customers.defeat, customers.change …"
    )
    title: str
    state: str = Field(description="pending, approved, rejected, failed")
    state_label: str
    requested_by: str | None
    reason: str = Field(description="申请说明（变更原因）")
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    current_step: int = Field(description="等待审批的步骤序号（已结束：最后处理的步骤）")
    steps: list[ApprovalStepOut] = Field(description="按顺序审批的步骤")
    subject_type: str = Field(description="申请涉及的记录类型，如 customers.customer；可为空")
    subject_id: str
    changes: dict[str, Any] | None = Field(
        None, description="客户资料变更申请：申请修改的字段与新值（before：原值）"
    )
    before: dict[str, Any] | None = None


class PendingOut(Schema):
    pending: ApprovalOut = Field(description="等待审批的申请（如战败申请：客户尚未改变）")


class ChangePendingOut(Schema):
    customer: CustomerOut = Field(description="保存后的客户（主数据尚未改变）")
    pending: ApprovalOut = Field(description="客户资料变更申请，等待数据管理部门审批")
