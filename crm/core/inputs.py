"""Declared inputs: the field types each entity's input is built from, and how one is validated.

Every entity that users write has ONE declared input, a pydantic model in its domain app
(``crm/customers/inputs.py``, ``crm/activities/inputs.py``, ``crm/accounts/inputs.py``). A field's
type below carries everything about it: the Python type, the maximum length (of the raw text, so
that the JSON Schema's ``maxLength`` is exact), choices, whether it may be blank, its normalisation
(trimming, phone and identifier formats through ``crm.core.validators``) and the Chinese
message of each refusal (English through the one catalogue). Everything else is derived from it:

- the API's request schemas *are* these models, or copies made by ``partial()`` for PATCH (built
  once, at import time), so OpenAPI documents exactly what the server enforces;
- the web forms' fields come from ``crm.web.inputs.form_field`` reading the same metadata;
- the services validate through ``validate()`` (an ``Invalid`` with one message per field);
- the Excel import validates one row through ``validate_row()``.

Rules that span fields, or depend on stored data or on the clock, live in the domain next to the
model (``rules`` functions) and are applied by the services. See docs/adr/0004.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    create_model,
)
from pydantic import ValidationError as PydanticError
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from .errors import Invalid
from .validators import (
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
    normalize_time_zone,
    normalize_website,
    normalize_wechat_id,
)

# The whitespace trimmed from text: ECMAScript's ``\s`` (what the documented patterns mean), so
# that "blank" means the same to the server and to a client checking the JSON Schema.
WHITESPACE = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS_CLASS = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
# Control characters other than tab and line breaks are no text anybody types (and spreadsheets
# and PostgreSQL cannot hold some of them): refused in every text.
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f"
NO_NUL = f"^[^{_CONTROL}]*$"
NOT_BLANK = f"^[^{_CONTROL}]*[^{_CONTROL}{_WS_CLASS}][^{_CONTROL}]*$"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")

MAX_ID = 2**63 - 1  # the database's integer range: beyond it, a 500 rather than "not found"
MAX_INT32 = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999  # dates and times a record may carry
_YEAR = "(19[0-9]{2}|2[0-9]{3})"
DATE_PATTERN = f"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = (
    f"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
    "(:[0-5][0-9](\\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_DATE_RE = re.compile(DATE_PATTERN)
_DATETIME_RE = re.compile(DATETIME_PATTERN)

# pydantic error type → message; %(name)s placeholders come from the error's ``ctx``.
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("此字段为必填项"),
    "extra_forbidden": gettext_noop("未知字段"),
    "string_type": gettext_noop("应为文本"),
    "int_type": gettext_noop("应为整数"),
    "int_parsing": gettext_noop("应为整数"),
    "int_from_float": gettext_noop("应为整数"),
    "float_type": gettext_noop("应为数字"),
    "float_parsing": gettext_noop("应为数字"),
    "decimal_type": gettext_noop("应为数字"),
    "decimal_parsing": gettext_noop("应为数字"),
    "decimal_max_digits": gettext_noop("数字位数过多"),
    "decimal_max_places": gettext_noop("小数位数过多"),
    "finite_number": gettext_noop("应为有限的数字"),
    "bool_type": gettext_noop("应为是或否"),
    "bool_parsing": gettext_noop("应为是或否"),
    "list_type": gettext_noop("应为列表"),
    "dict_type": gettext_noop("请求内容格式不正确"),
    "model_type": gettext_noop("请求内容格式不正确"),
    "model_attributes_type": gettext_noop("请求内容格式不正确"),
    "string_too_long": gettext_noop("不能超过 %(max_length)s 个字"),
    "string_too_short": gettext_noop("至少需要 %(min_length)s 个字"),
    "string_pattern_mismatch": gettext_noop("格式不正确"),
    "too_long": gettext_noop("最多 %(max_length)s 项"),
    "too_short": gettext_noop("至少需要 %(min_length)s 项"),
    "greater_than_equal": gettext_noop("不能小于 %(ge)s"),
    "greater_than": gettext_noop("应大于 %(gt)s"),
    "less_than_equal": gettext_noop("不能大于 %(le)s"),
    "less_than": gettext_noop("应小于 %(lt)s"),
    "enum": gettext_noop("不是有效的选项"),
    "literal_error": gettext_noop("不是有效的选项"),
    "json_invalid": gettext_noop("请求内容不是有效的 JSON"),
    "date_type": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "date_parsing": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "datetime_type": gettext_noop("时间格式应为 YYYY-MM-DDTHH:MM+08:00"),
    "datetime_parsing": gettext_noop("时间格式应为 YYYY-MM-DDTHH:MM+08:00"),
    "datetime_from_date_parsing": gettext_noop("时间格式应为 YYYY-MM-DDTHH:MM+08:00"),
}
_FALLBACK = gettext_noop("值无效")


def pydantic_message(err: Mapping[str, Any]) -> str:
    """A translated message for one pydantic error (in the active language)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    template = PYDANTIC_MESSAGES.get(kind, _FALLBACK)
    try:
        return _(template) % ctx if "%(" in template else _(template)
    except (KeyError, TypeError, ValueError):
        return _(_FALLBACK)


def field_name(loc: Iterable[Any], skip: frozenset[str] = frozenset()) -> str:
    """``("phone",)`` → ``"phone"``; ``("tags", 2)`` → ``"tags"`` (the list, not one item);
    ``("grades", 2, "cadence_days")`` → ``"grades.2.cadence_days"``; nothing left → ``"body"``."""
    parts = [p for p in loc if not (isinstance(p, str) and p in skip)]
    while parts and isinstance(parts[-1], int):
        parts.pop()
    return ".".join(str(p) for p in parts) or "body"


def error_fields(
    errors: Iterable[Mapping[str, Any]], skip: frozenset[str] = frozenset()
) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        fields.setdefault(field_name(err.get("loc", ()), skip), pydantic_message(err))
    return fields


# --- field types ----------------------------------------------------------------------------


def _blank_or(clean: Callable[[str], str]) -> Callable[[str], str]:
    def run(value: str) -> str:
        text = value.strip(WHITESPACE)
        if "\x00" in text:
            raise ValueError(_("不能包含空字符"))
        return clean(text) if text else ""

    return run


@dataclass(frozen=True)
class Text:
    """Text of at most ``max_length`` characters (as sent), trimmed; NUL refused (PostgreSQL
    cannot store it). ``required``: not blank. ``area``: several lines (a textarea on the web)."""

    max_length: int
    required: bool = False
    area: bool = False
    message: str = ""  # the refusal of a blank value, e.g. 请填写客户名称

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
        value["pattern"] = NOT_BLANK if self.required else NO_NUL
        return value

    def clean(self, value: str) -> str:
        if "\x00" in value:
            raise ValueError(_("不能包含空字符"))
        if _CONTROL_RE.search(value):
            raise ValueError(_("不能包含控制字符"))
        text = value.strip(WHITESPACE)
        if self.required and not text:
            raise ValueError(_(self.message) if self.message else _("此字段不能为空"))
        return text


@dataclass(frozen=True)
class Choice:
    """One of ``choices``' values (``blank``: or the empty string)."""

    choices: type[models.TextChoices]
    blank: bool = False
    message: str = gettext_noop("不是有效的选项")

    @property
    def values(self) -> list[str]:
        return ["", *self.choices.values] if self.blank else list(self.choices.values)

    @functools.cached_property
    def allowed(self) -> frozenset[str]:
        """``values`` as a set, built once: Django rebuilds ``TextChoices.values`` on every
        read (a list comprehension over the enum), a tenth of an import's judging."""
        return frozenset(self.values)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            self.clean, core_schema.str_schema(strict=True)
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": self.values}

    def clean(self, value: str) -> str:
        if value not in self.allowed:
            raise ValueError(_(self.message))
        return value


@dataclass(frozen=True)
class Formatted:
    """A blank-able identifier normalised by ``normalise`` (which raises ``ValueError`` with the
    message), documented as the custom OpenAPI ``format`` named ``name``."""

    format: str
    max_length: int
    normalise: Callable[[str], str]
    description: str = ""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            _blank_or(self.normalise),
            core_schema.str_schema(max_length=self.max_length, strict=True),
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        value = handler(schema)
        value["format"] = self.format
        if self.description:
            value["description"] = self.description
        return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(_("日期格式应为 YYYY-MM-DD"))
    text = value.strip(WHITESPACE)
    if not _DATE_RE.match(text):
        raise ValueError(_("日期格式应为 YYYY-MM-DD，年份在 %(min)d 到 %(max)d 之间") % _YEARS)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(_("日期无效")) from exc


_YEARS = {"min": MIN_YEAR, "max": MAX_YEAR}


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(_("年份应在 %(min)d 到 %(max)d 之间") % _YEARS)


@dataclass(frozen=True)
class Day:
    """A calendar date, ``YYYY-MM-DD`` (years 1900–2999: beyond them, nothing real happens and
    date arithmetic overflows)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.clean, core_schema.date_schema())

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}

    @staticmethod
    def clean(value: Any) -> Any:
        day = _parse_date(value)
        _check_year(day.year)
        return day


@dataclass(frozen=True)
class Moment:
    """A point in time: RFC 3339 with its offset (``2026-11-25T15:00:00+08:00``); a datetime
    without one (web forms, spreadsheets) is local time."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(
            self.clean, core_schema.datetime_schema()
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}

    @staticmethod
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip(WHITESPACE)
            if not _DATETIME_RE.match(text):
                raise ValueError(
                    _("时间格式应为 YYYY-MM-DDTHH:MM+08:00，年份在 %(min)d 到 %(max)d 之间")
                    % _YEARS
                )
            try:
                value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError as exc:
                raise ValueError(_("时间无效")) from exc
        if not isinstance(value, dt.datetime):
            raise ValueError(_("时间格式应为 YYYY-MM-DDTHH:MM+08:00"))
        _check_year(value.year)
        if timezone.is_naive(value):
            return timezone.make_aware(value)
        # in local time: PostgreSQL refuses offsets beyond ±15:59 that RFC 3339 allows (+17:38)
        return timezone.localtime(value)


@dataclass(frozen=True)
class Integer:
    """A whole number in [``ge``, ``le``]. JSON's ``5.0`` is an integer (JSON Schema says so);
    ``true`` and ``"5"`` are not."""

    ge: int | None = None
    le: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(
            self.whole, core_schema.int_schema(ge=self.ge, le=self.le, strict=True)
        )

    @staticmethod
    def whole(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def money_text(limit: int, *, positive: bool) -> str:
    """The pattern of an amount typed as text below ``limit`` (a power of ten): more than zero
    after rounding to cents when ``positive`` (not "0", "0.00" or "0.004")."""
    more = len(str(limit)) - 2  # digits after the first, below the limit
    whole, cents = f"[1-9][0-9]{{0,{more}}}", "(\\.[0-9]{1,6})?"
    if positive:
        return f"^({whole}{cents}|0\\.(0[1-9]|[1-9][0-9]?)[0-9]{{0,4}}|0\\.00[5-9][0-9]{{0,3}})$"
    return f"^(0|{whole}){cents}$"


@dataclass(frozen=True)
class Money:
    """An amount ≥ 0 and below ``limit``, as a JSON number or a decimal string (``"3500.50"``),
    kept to two decimal places (rounded half up)."""

    limit: int = 10**12
    positive: bool = False  # more than zero (a deposit), not merely zero or more

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.clean)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # positive: at least half a cent, which rounds to one
        low = {"minimum": 0.005} if self.positive else {"minimum": 0}
        number = {"type": "number", **low, "exclusiveMaximum": self.limit}
        text = money_text(self.limit, positive=self.positive)
        return {"anyOf": [number, {"type": "string", "pattern": text}]}

    def clean(self, value: Any) -> decimal.Decimal:
        if isinstance(value, str):
            if not re.match(money_text(self.limit, positive=False), value.strip(WHITESPACE)):
                raise ValueError(_("请输入数字，如 3500.50"))
            value = decimal.Decimal(value.strip(WHITESPACE))
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValueError(_("应为有限的数字"))
        elif isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
            raise ValueError(_("请输入数字，如 3500.50"))
        amount = decimal.Decimal(str(value)) if isinstance(value, float) else decimal.Decimal(value)
        if not amount.is_finite():
            raise ValueError(_("应为有限的数字"))
        if amount < 0 or amount >= self.limit:
            raise ValueError(_("金额超出范围"))
        cent = decimal.Decimal("0.01")
        amount = min(amount.quantize(cent, rounding=decimal.ROUND_HALF_UP), self.limit - cent)
        if self.positive and amount <= 0:
            raise ValueError(_("金额应大于 0"))
        return amount


# --- identifiers ----------------------------------------------------------------------------


def _email(value: str) -> str:
    email = value.lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValueError(_("邮箱地址格式不正确")) from exc
    return email


@dataclass(frozen=True)
class Email(Formatted):
    """An e-mail address (lower-cased) or blank."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "maxLength": self.max_length,
            "anyOf": [{"const": ""}, {"format": "email"}],
        }


Phone = Annotated[
    str,
    Formatted(
        "phone",
        20,
        normalize_phone,
        "电话：中国大陆号码如 13812345678、010-62345678（存为数字）；其他国家和地区的号码带国家"
        "代码，如 +44 20 7946 0958（存为 E.164：+442079460958）；不带国家代码的号码按"
        " CRM_DEFAULT_PHONE_REGION（默认 CN）读；空为没有",
    ),
]
TimeZone = Annotated[
    str,
    Formatted("iana-time-zone", 64, normalize_time_zone, "IANA 时区，如 Europe/London；空为没有"),
]
Website = Annotated[
    str, Formatted("web-address", 200, normalize_website, "网址（http 或 https）；空为没有")
]
IdNumber = Annotated[
    str,
    Formatted(
        "cn-resident-id", 18, normalize_id_number, "18 位居民身份证号码（GB 11643）；空为没有"
    ),
]
CreditCode = Annotated[
    str,
    Formatted(
        "cn-credit-code", 18, normalize_credit_code, "统一社会信用代码（GB 32100）；空为没有"
    ),
]
EmailAddress = Annotated[str, Email("email", 254, _email)]
WeChatId = Annotated[
    str,
    Formatted(
        "wechat-id",
        30,
        normalize_wechat_id,
        "微信号：6–20 位，字母开头，字母、数字、_ 或 -；或中国大陆手机号；空为没有",
    ),
]

# --- models ---------------------------------------------------------------------------------


class Input(BaseModel):
    """An entity's declared input. Unknown fields are refused, not silently dropped; integers are
    integers (not ``true`` nor ``"5"``)."""

    model_config = ConfigDict(extra="forbid", strict=True)


M = TypeVar("M", bound=BaseModel)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str = "") -> Any:
    """A field that may be left out (and then keeps its value); ``null`` is not a value."""
    return Field(None, description=description or None, json_schema_extra=_no_default)


def partial(
    model: type[M], *, name: str, doc: str = "", exclude: tuple[str, ...] = (), **extra: Any
) -> type[BaseModel]:
    """``model`` with every field optional (a PATCH: what is left out stays as it is; ``null``
    only where the field itself is nullable), without the fields of ``exclude`` (those only a
    whole record brings), plus ``extra`` fields (e.g. ``version``). The rules spanning fields
    are the whole record's: the service checks them on the result."""
    fields: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        if field in exclude:
            continue
        copy = FieldInfo.merge_field_infos(info, default=None, json_schema_extra=_no_default)
        fields[field] = (info.annotation, copy)
    fields.update(extra)
    config = ConfigDict(**{k: v for k, v in model.model_config.items() if k != "json_schema_extra"})  # type: ignore[typeddict-item]
    derived: type[BaseModel] = create_model(
        name, __config__=config, __doc__=doc or model.__doc__, **fields
    )
    return derived


def validate(
    model: type[BaseModel], data: Mapping[str, Any], *, strict: bool | None = None
) -> dict[str, Any]:
    """``data`` validated and normalised through ``model``: only the fields given (a PATCH keeps
    the rest). Raises ``Invalid`` with one message per field (``strict=False``: the lax reading
    of a spreadsheet, where "12" may be a number)."""
    try:
        valid = model.model_validate(dict(data), strict=strict)
    except PydanticError as exc:
        raise Invalid(fields=model_errors(model, exc)) from exc
    return valid.model_dump(exclude_unset=True)


def model_errors(model: type[BaseModel], exc: PydanticError) -> dict[str, str]:
    """A message per field; a required field left out gets its own message (``Text.message``,
    ``Ask``) rather than the generic one, the same as when it is sent blank."""
    fields = error_fields(exc.errors())
    for err in exc.errors():
        if err.get("type") != "missing":
            continue
        info = _field_info(model, err.get("loc", ()))
        asked = [m for m in (info.metadata if info else []) if getattr(m, "message", "")]
        if asked:
            fields[field_name(err["loc"])] = _(asked[0].message)
    return fields


def _field_info(model: type[BaseModel], loc: Iterable[Any]) -> FieldInfo | None:
    info: FieldInfo | None = None
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return None
        info = current.model_fields[part]
        kinds = get_args(info.annotation) or (info.annotation,)
        current = next((k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)), None)
    return info


@dataclass(frozen=True)
class Ask:
    """The message for a required field left out (a choice not made), e.g. 请选择战败原因."""

    message: str


@dataclass(frozen=True)
class RowResult:
    """One spreadsheet row: the cleaned data, or the message per column that refused it."""

    cleaned: dict[str, Any] | None
    errors: dict[str, str]


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@functools.cache
def _text_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that hold text (a number typed into one is read as text)."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if info.annotation is str
        or any(isinstance(m, Text | Formatted | Choice) for m in info.metadata)
    )


def validate_row(
    model: type[BaseModel],
    row: Mapping[str, Any],
    *,
    rules: Callable[[dict[str, Any]], dict[str, str]] | None = None,
) -> RowResult:
    """A spreadsheet row through the same declaration as a form or a request: empty cells are
    left out (the field's default), numbers typed into text columns (a phone) become text."""
    data: dict[str, Any] = {}
    text_fields = _text_fields(model)
    for name, value in row.items():
        value = _cell(value)
        if value is None or (isinstance(value, str) and not value.strip(WHITESPACE)):
            continue
        if name in text_fields and isinstance(value, int | decimal.Decimal):
            value = str(value)
        data[name] = value
    try:
        cleaned = validate(model, data, strict=False)
    except Invalid as exc:
        return RowResult(None, {k: str(v) for k, v in exc.fields.items()})
    errors = rules(cleaned) if rules is not None else {}
    return RowResult(None if errors else cleaned, errors)
