"""Request and response shapes of the API (pydantic through django-ninja).

Input schemas check the *shape* only (types, lengths, unknown fields). Business validation —
phone and ID-number formats, choices, grade rules, duplicates — is the services' job, so the web
forms and the API refuse the same things with the same messages.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, field_validator

from crm.customers.choices import Category, ContactRole, Gender, Grade, Kind, Source


def _enum(choices: type[models.TextChoices], *, blank: bool = False) -> dict[str, Any]:
    """Document a choice field's values in OpenAPI; the service validates them."""
    values = list(choices.values)
    return {"enum": ["", *values] if blank else values}


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


class StrictIn(NoNulIn):
    """Input: a field the API does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class ExistingRef(Schema):
    number: str | None = Field(description="客户编号；该客户不在调用者权限范围内时为 null")
    owner_name: str


class ErrorDetail(Schema):
    code: str = Field(
        description="not_authenticated, forbidden, not_found, duplicate, conflict, invalid, "
        "locked_out"
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


class DefeatEntryIn(StrictIn):
    reason: int | None = Field(None, description="战败原因 id（GET /defeat-reasons）")
    competitor_brand: str = Field("", max_length=50)
    competitor_model: str = Field("", max_length=50)
    tried: str = Field("", max_length=5000, description="采取过的挽回措施")


class CustomerIn(StrictIn):
    kind: str = Field("person", json_schema_extra=_enum(Kind))
    name: str = Field(max_length=100)
    phone: str = Field("", max_length=30, description="中国大陆手机或固定电话")
    email: str = Field("", max_length=254)
    id_number: str = Field("", max_length=30, description="18 位居民身份证号码")
    credit_code: str = Field("", max_length=30, description="统一社会信用代码")
    company: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    city: str = Field("", max_length=50)
    staff_count: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, description="年营业额（万元）")
    main_business: str = Field("", max_length=200)
    needs: str = Field("", max_length=5000)
    feedback: str = Field("", max_length=5000)
    source: str = Field("", json_schema_extra=_enum(Source, blank=True))
    category: str = Field("potential", json_schema_extra=_enum(Category))
    grade: str = Field("", json_schema_extra=_enum(Grade, blank=True))
    expected_purchase_on: date | None = Field(None, description="预计购买日期")
    deal_on: date | None = Field(None, description="成交日期；直接登记为保有客户时必填")
    deposit_amount: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="定金金额（元）；O 级必填"
    )
    deposit_on: date | None = Field(None, description="收定金日期；O 级必填")
    defeat: DefeatEntryIn | None = Field(None, description="战败分析；直接登记为战败客户时必填")
    owner: int | None = Field(None, description="负责人用户 id；默认为调用者本人")
    tags: list[str] = Field(default_factory=list)
    notes: str = Field("", max_length=5000)


class CustomerPatch(StrictIn):
    version: int = Field(description="读取时的版本号；已被他人修改时返回 409 conflict")
    kind: str | None = Field(None, json_schema_extra=_enum(Kind))
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    id_number: str | None = Field(None, max_length=30)
    credit_code: str | None = Field(None, max_length=30)
    company: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=50)
    staff_count: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = None
    main_business: str | None = Field(None, max_length=200)
    needs: str | None = Field(None, max_length=5000)
    feedback: str | None = Field(None, max_length=5000)
    source: str | None = Field(None, json_schema_extra=_enum(Source, blank=True))
    category: str | None = Field(None, json_schema_extra=_enum(Category))
    grade: str | None = Field(None, json_schema_extra=_enum(Grade, blank=True))
    deposit_amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    deposit_on: date | None = None
    owner: int | None = None
    tags: list[str] | None = None
    notes: str | None = Field(None, max_length=5000)


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
    email: str
    id_number: str
    credit_code: str
    company: str
    address: str
    city: str
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


class CustomerPage(Out):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class TagOut(Schema):
    id: int
    name: str
    color: str


# --- contacts -------------------------------------------------------------------------------


class ContactIn(StrictIn):
    name: str = Field(max_length=50)
    role: str = Field("other", json_schema_extra=_enum(ContactRole))
    title: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    age: int | None = None
    gender: str = Field("", json_schema_extra=_enum(Gender, blank=True))
    hobbies: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)


class ContactPatch(StrictIn):
    name: str | None = Field(None, max_length=50)
    role: str | None = Field(None, json_schema_extra=_enum(ContactRole))
    title: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)
    age: int | None = None
    gender: str | None = Field(None, json_schema_extra=_enum(Gender, blank=True))
    hobbies: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    role: str
    role_label: str
    title: str
    phone: str
    age: int | None
    gender: str
    hobbies: str
    notes: str
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
