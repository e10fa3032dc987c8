"""The declared inputs of customers (see ``crm.core.inputs``): a customer, created whole or
changed in part, a contact person, a lifecycle transition with its defeat analysis, the manager's
comment on a defeat, a row of the grade table and the follow-up settings.

The API's request schemas, the web forms, the services and the Excel import all take their field
shapes and messages from here. Rules that span fields are the ``*_rules`` functions: the services
apply them to the values a record will have, the API documents those of a whole request in its
JSON Schema (``if``/``then``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from crm.core.inputs import (
    MAX_ID,
    MAX_INT32,
    Ask,
    Choice,
    CreditCode,
    Day,
    EmailAddress,
    Formatted,
    IdNumber,
    Input,
    Integer,
    Money,
    Phone,
    RowResult,
    Text,
    TimeZone,
    Website,
    WeChatId,
    optional,
    partial,
    validate_row,
)
from crm.core.regions import Country, Currency, Language

from .choices import Category, CompanyType, ContactRole, Gender, Grade, Kind, ShareMode

TAG_MAX_LENGTH = 20  # characters of one tag
TAGS_MAX = 20  # tags of one customer
CALLBACKS_MAX = 20  # callbacks after a deal


TagName = Annotated[str, Text(TAG_MAX_LENGTH, required=True)]


@dataclass(frozen=True)
class SourceCode:
    """The code of a 认知途径 (``crm.customers.sources``: a list the company edits) or blank.
    Any listed code passes here; whether one switched off may be given is the services' rule
    (``sources.source_error``: kept on the customers that have it, not given to others)."""

    max_length: int = 20

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            self.clean, core_schema.str_schema(max_length=self.max_length, strict=True)
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        value = handler(schema)
        value["description"] = "认知途径代码（GET /api/v1/sources）；空为未填"
        return value

    @staticmethod
    def clean(value: str) -> str:
        from .models import Source  # the models import these inputs' choices

        code = value.strip()
        if code and not Source.objects.filter(code=code).exists():
            raise ValueError(_("不是有效的选项"))
        return code


def normalize_bank_account(value: str) -> str:
    """A bank account number (银行账号) as digits: 8 to 30 of them, spaces and dashes dropped."""
    digits = re.sub(r"[\s\-]", "", value)
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise ValueError(_("银行账号应为 8–30 位数字"))
    return digits


BankAccount = Annotated[
    str,
    Formatted(
        "bank-account", 40, normalize_bank_account, "银行账号：8–30 位数字，可含空格；空为没有"
    ),
]


def _distinct(names: list[str]) -> list[str]:
    return sorted(set(names))


Tags = Annotated[
    list[TagName],
    Field(max_length=TAGS_MAX, description="标签名称，最多 20 个，每个最多 20 个字"),
    AfterValidator(_distinct),
]
Id = Annotated[int, Integer(1, MAX_ID)]
StaffCount = Annotated[int, Integer(0, MAX_INT32)]


def _if(
    field: str, value: str, then: dict[str, Any], otherwise: dict[str, Any] | None = None
) -> Any:
    rule: dict[str, Any] = {
        "if": {"properties": {field: {"const": value}}, "required": [field]},
        "then": then,
    }
    if otherwise is not None:
        rule["else"] = otherwise
    return rule


_GRADES = {"type": "string", "enum": list(Grade.values)}


def _deposit_of_o(category: str) -> dict[str, Any]:
    """An O-grade intention customer has paid a deposit: its amount and day are required."""
    return {
        "if": {
            "properties": {category: {"const": Category.INTENTION}, "grade": {"const": Grade.O}},
            "required": [category, "grade"],
        },
        "then": {
            "required": ["deposit_amount", "deposit_on"],
            "properties": {
                "deposit_amount": {"type": ["number", "string"]},
                "deposit_on": {"type": "string"},
            },
        },
    }


class DefeatInput(Input):
    """战败客户分析表: the reason, the competitor, what was tried."""

    reason: Annotated[Id, Ask(gettext_noop("请选择战败原因"))] = Field(
        description="战败原因 id（GET /defeat-reasons）"
    )
    competitor_brand: Annotated[str, Text(50)] = ""
    competitor_model: Annotated[str, Text(50)] = ""
    tried: Annotated[
        str, Text(5000, required=True, area=True, message=gettext_noop("请填写采取过的挽回措施"))
    ] = Field(description="采取过的挽回措施")


class CustomerInput(Input):
    """A customer (客户档案). ``category`` and ``grade`` change later only through a transition."""

    model_config = {
        "json_schema_extra": {
            "allOf": [
                _if("kind", Kind.ORGANIZATION, {"properties": {"id_number": {"const": ""}}}),
                _if(
                    "category",
                    Category.INTENTION,
                    {"required": ["grade"], "properties": {"grade": _GRADES}},
                    {"properties": {"grade": {"const": ""}}},
                ),
                _if(
                    "category",
                    Category.RETAINED,
                    {"required": ["deal_on"], "properties": {"deal_on": {"type": "string"}}},
                    {"properties": {"deal_on": {"type": "null"}}},
                ),
                _if(
                    "category",
                    Category.DEFEATED,
                    {"required": ["defeat"], "properties": {"defeat": {"type": "object"}}},
                    {"properties": {"defeat": {"type": "null"}}},
                ),
                _deposit_of_o("category"),
            ]
        }
    }

    kind: Annotated[str, Choice(Kind)] = Kind.PERSON
    name: Annotated[str, Text(100, required=True, message=gettext_noop("请填写客户名称"))]
    phone: Phone = ""
    wechat: WeChatId = ""
    email: EmailAddress = ""
    id_number: IdNumber = ""
    credit_code: CreditCode = ""
    company: Annotated[str, Text(100)] = ""
    address: Annotated[str, Text(200)] = ""
    city: Annotated[str, Text(50)] = ""
    bank_name: Annotated[str, Text(100)] = Field("", description="开户银行")
    bank_account: BankAccount = ""
    staff_count: StaffCount | None = None
    annual_revenue: Annotated[decimal.Decimal, Money()] | None = Field(
        None, description="年营业额（万元）"
    )
    main_business: Annotated[str, Text(200)] = ""
    needs: Annotated[str, Text(5000, area=True)] = ""
    feedback: Annotated[str, Text(5000, area=True)] = ""
    source: Annotated[str, SourceCode()] = ""
    category: Annotated[str, Choice(Category)] = Category.POTENTIAL
    grade: Annotated[
        str, Choice(Grade, blank=True, message=gettext_noop("意向级别只能是 O、H、A、B、C"))
    ] = Field("", description="意向客户必填")
    expected_purchase_on: Annotated[dt.date, Day()] | None = Field(None, description="预计购买日期")
    deal_on: Annotated[dt.date, Day()] | None = Field(
        None, description="成交日期，不晚于今天；直接登记为保有客户时必填（仅保有客户）"
    )
    deposit_amount: Annotated[decimal.Decimal, Money(10**10, positive=True)] | None = Field(
        None, description="定金金额（元）；O 级必填"
    )
    deposit_on: Annotated[dt.date, Day()] | None = Field(
        None, description="收定金日期，不晚于今天；O 级必填"
    )
    defeat: DefeatInput | None = Field(None, description="战败分析；直接登记为战败客户时必填")
    owner: Id | None = Field(None, description="负责人用户 id；默认为录入人本人")
    tags: Tags = []
    notes: Annotated[str, Text(5000, area=True)] = ""
    # 国际客户 (issue 10): the foreign-trade table's columns
    fax: Phone = Field("", description="传真，格式同电话")
    country: Annotated[str, Choice(Country, blank=True)] = Field(
        "", description="国家/地区：ISO 3166-1 两位代码，如 US、GB、JP；空为未填"
    )
    website: Website = ""
    language: Annotated[str, Choice(Language, blank=True)] = Field(
        "", description="沟通语言：ISO 639-1 代码，如 en、ja；空为未填"
    )
    time_zone: TimeZone = Field("", description="联系人所在时区（IANA），如 America/New_York")
    company_type: Annotated[str, Choice(CompanyType, blank=True)] = Field(
        "", description="公司性质：manufacturer 生产商、trader 贸易商、retailer 零售商、other 其他"
    )
    currency: Annotated[str, Choice(Currency, blank=True)] = Field(
        "", description="结算币种：ISO 4217 代码，如 CNY、USD、EUR；空为未填"
    )


INTERNATIONAL_FIELDS = (
    "country",
    "language",
    "time_zone",
    "company_type",
    "currency",
    "website",
    "fax",
)


CustomerChange = partial(
    CustomerInput, name="CustomerChange", doc="A change to some fields.", exclude=("defeat",)
)


def customer_rules(values: Mapping[str, Any]) -> dict[str, str]:
    """Rules spanning fields, on the values the customer will have: a message per field."""
    errors: dict[str, str] = {}
    if values.get("kind") == Kind.ORGANIZATION and values.get("id_number"):
        errors["id_number"] = _("单位客户不填身份证号码")
    category, grade = values.get("category"), values.get("grade")
    if category == Category.INTENTION and not grade:
        errors["grade"] = _("意向客户必须选择意向级别（O/H/A/B/C）")
    if category != Category.INTENTION and grade:
        errors["grade"] = _("只有意向客户才有意向级别")
    return errors


def customer_row(row: Mapping[str, Any]) -> RowResult:
    """One row of a customer import, validated as a new customer would be (with what entering
    its category needs: ``crm.customers.lifecycle.entry_errors``)."""
    from .lifecycle import entry_errors  # the lifecycle module builds on these inputs

    def rules(cleaned: dict[str, Any]) -> dict[str, str]:
        from .sources import source_error

        values = {"kind": Kind.PERSON, "category": Category.POTENTIAL, "grade": "", **cleaned}
        switched_off = source_error(values.get("source", ""))
        return {
            **({"source": switched_off} if switched_off else {}),
            **customer_rules(values),
            **entry_errors(
                category=values["category"],
                grade=values["grade"],
                values=lambda field, default=None: values.get(field, default),
            ),
        }

    return validate_row(CustomerInput, row, rules=rules)


# --- contacts -------------------------------------------------------------------------------


class ContactInput(Input):
    """A contact person of an organisation (核心人员)."""

    name: Annotated[str, Text(50, required=True, message=gettext_noop("请填写联系人姓名"))]
    role: Annotated[str, Choice(ContactRole)] = ContactRole.OTHER
    title: Annotated[str, Text(50)] = ""
    phone: Phone = ""
    wechat: WeChatId = ""
    age: Annotated[int, Integer(1, 129)] | None = None
    gender: Annotated[str, Choice(Gender, blank=True)] = ""
    hobbies: Annotated[str, Text(200)] = ""
    notes: Annotated[str, Text(2000, area=True)] = ""


ContactChange = partial(ContactInput, name="ContactChange", doc="A change to some fields.")


def contact_row(row: Mapping[str, Any]) -> RowResult:
    return validate_row(ContactInput, row)


# --- lifecycle ------------------------------------------------------------------------------


class TransitionInput(Input):
    """A change of category or grade, with what the rules require for the target."""

    model_config = {
        "json_schema_extra": {
            "allOf": [
                _if(
                    "to",
                    Category.INTENTION,
                    {"required": ["grade"], "properties": {"grade": _GRADES}},
                ),
                _if(
                    "to",
                    Category.RETAINED,
                    {"required": ["deal_on"], "properties": {"deal_on": {"type": "string"}}},
                    {"properties": {"deal_on": {"type": "null"}}},
                ),
                _if(
                    "to",
                    Category.DEFEATED,
                    {"required": ["defeat"], "properties": {"defeat": {"type": "object"}}},
                ),
                _deposit_of_o("to"),
            ]
        }
    }

    to: Annotated[str, Choice(Category, message=gettext_noop("不是有效的客户类别"))]
    grade: Annotated[
        str, Choice(Grade, blank=True, message=gettext_noop("意向级别只能是 O、H、A、B、C"))
    ] = Field("", description="变为意向客户时必填")
    reason: Annotated[str, Text(500, area=True)] = Field(
        "", description="原因；重新激活战败客户时必填"
    )
    deal_on: Annotated[dt.date, Day()] | None = Field(
        None, description="成交日期，不晚于今天；变为保有客户时必填（仅保有客户）"
    )
    defeat: DefeatInput | None = Field(None, description="战败分析；变为战败客户时必填")
    expected_purchase_on: Annotated[dt.date, Day()] | None = Field(
        None, description="预计购买日期（定级依据）"
    )
    deposit_amount: Annotated[decimal.Decimal, Money(10**10, positive=True)] | None = Field(
        None, description="定金金额（元）；定为 O 级时必填"
    )
    deposit_on: Annotated[dt.date, Day()] | None = Field(
        None, description="收定金日期，不晚于今天；定为 O 级时必填"
    )


def transition_rules(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    to = values.get("to")
    if to == Category.INTENTION and not values.get("grade"):
        errors["grade"] = _("意向客户必须选择意向级别（O/H/A/B/C）")
    if to == Category.RETAINED and values.get("deal_on") is None:
        errors["deal_on"] = _("成交客户必须填写成交日期")
    if to == Category.DEFEATED and not values.get("defeat"):
        errors["defeat.reason"] = _("请选择战败原因")
        errors["defeat.tried"] = _("请填写采取过的挽回措施")
    return errors


class DefeatCommentInput(Input):
    comment: Annotated[
        str, Text(5000, required=True, area=True, message=gettext_noop("请填写经理意见"))
    ] = Field(description="经理意见")


# --- the company's tables -------------------------------------------------------------------


class GradePolicyInput(Input):
    """One row of the grade table; a field left out keeps its value."""

    grade: Annotated[str, Choice(Grade)]
    cadence_days: Annotated[int, Integer(1, 365)] = optional("跟进周期（天）")
    deal_within_days: Annotated[int, Integer(1, 3650)] | None = Field(
        None, description="预计成交（天内）；null 为不限"
    )
    description: Annotated[str, Text(100)] = optional("说明")


class GradeTableInput(Input):
    grades: Annotated[list[GradePolicyInput], Field(max_length=len(Grade.values))]


class LifecycleSettingsInput(Input):
    missed_grace_hours: Annotated[int, Integer(0, 720)] = Field(
        description="计划过期多少小时后记为逾期"
    )
    callback_days: Annotated[
        list[Annotated[int, Integer(1, 3650)]],
        Field(min_length=1, max_length=CALLBACKS_MAX),
    ] = Field(description="成交后第几天回访，例如 [1, 7, 30, 90]")
    defeat_needs_approval: bool = Field(
        True, description="销售顾问的战败须经理审批（战败申请）；关闭后战败直接生效"
    )


SHARE_DAYS_MAX = 366  # a share lasts at most a year (until today + 366 days)


class ShareInput(Input):
    """A customer shared with a colleague (客户共享): who, read-only or read-write, until when
    (the last day, inclusive). Sharing again with the same colleague changes the share."""

    user: Annotated[Id, Ask(gettext_noop("请选择共享给哪位同事"))] = Field(
        description="同事的用户 id（可作为客户负责人的在职用户）"
    )
    mode: Annotated[str, Choice(ShareMode)] = Field(
        ShareMode.READ, description="read：只读；read_write：可编辑、记录跟进、安排计划"
    )
    until: Annotated[dt.date, Day(), Ask(gettext_noop("请填写共享截止日期"))] = Field(
        description="共享截止日期（含当天），今天起最多一年"
    )
