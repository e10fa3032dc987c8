"""Validators for Chinese identifiers.

Phones go through ``phonenumbers`` (Google's libphonenumber metadata). The resident ID number
(GB 11643-1999) and the unified social credit code (GB 32100-2015) check characters are short
published algorithms that no maintained PyPI package implements for both, so they are here.
Each function returns the normalised value or raises ``ValueError`` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_PHONE_TYPES = _MOBILE_TYPES | {phonenumbers.PhoneNumberType.FIXED_LINE}


def normalize_phone(value: str, *, mobile_only: bool = False) -> str:
    """A mainland phone number as digits: ``13812345678`` or, for fixed lines, ``01062345678``."""
    raw = value.strip()
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_("电话号码格式不正确")) from exc
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise ValueError(_("不是有效的中国大陆电话号码"))
    kind = phonenumbers.number_type(number)
    if kind not in (_MOBILE_TYPES if mobile_only else _PHONE_TYPES):
        raise ValueError(_("不是有效的中国大陆手机号码"))
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str, *, today: dt.date | None = None) -> str:
    """An 18-digit resident ID number (居民身份证号码) with a valid birth date and check digit."""
    v = value.strip().upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", v):
        raise ValueError(_("身份证号码应为18位，最后一位可以是数字或X"))
    try:
        born = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError as exc:
        raise ValueError(_("身份证号码中的出生日期无效")) from exc
    if born.year < 1900 or born > (today or timezone.localdate()):
        raise ValueError(_("身份证号码中的出生日期无效"))
    if id_check_char(v[:17]) != v[17]:
        raise ValueError(_("身份证号码校验位错误"))
    return v


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """An 18-character unified social credit code (统一社会信用代码) with a valid check char."""
    v = value.strip().upper()
    if len(v) != 18 or any(c not in USCC_CHARS for c in v):
        raise ValueError(_("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"))
    if credit_code_check_char(v[:17]) != v[17]:
        raise ValueError(_("统一社会信用代码校验位错误"))
    return v


_SPACES = re.compile(r"\s+")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "　": " "})


def organization_key(name: str) -> str:
    """The comparison key for organisation names: case, spaces and full-width brackets ignored."""
    return _SPACES.sub("", name.translate(_FULLWIDTH)).lower()


_WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")


def normalize_wechat_id(value: str) -> str:
    """A WeChat ID (微信号): 6–20 characters, a letter first, then letters, digits, _ or -; or a
    mobile number, which WeChat accepts as an ID (kept as its 11 digits)."""
    v = value.strip()
    if _WECHAT_ID.fullmatch(v):
        return v
    if re.fullmatch(r"[\d\s+\-]+", v):
        try:
            return normalize_phone(v, mobile_only=True)
        except ValueError as exc:
            raise ValueError(_("手机号作微信号时应为有效的中国大陆手机号码")) from exc
    raise ValueError(
        _("微信号应为 6–20 位，以字母开头，只含字母、数字、下划线和减号；也可以是手机号")
    )
