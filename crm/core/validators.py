"""Validators for Chinese identifiers, and phone numbers of any country.

Phones go through ``phonenumbers`` (Google's libphonenumber metadata): a mainland number is
stored as its digits (as before international customers), any other in E.164 (``+44…``), so a
stored value starting with ``+`` is a foreign number. The resident ID number
(GB 11643-1999) and the unified social credit code (GB 32100-2015) check characters are short
published algorithms that no maintained PyPI package implements for both, so they are here.
Each function returns the normalised value or raises ``ValueError`` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_PHONE_TYPES = _MOBILE_TYPES | {phonenumbers.PhoneNumberType.FIXED_LINE}
MAINLAND = 86


# "+01-…", "+044…": a country code written with the zero of a trunk prefix (trade documents often
# write the US's as +01); no country code starts with 0
_PLUS_ZERO = re.compile(r"^\+\s*0+(?=[1-9])")


def default_phone_region() -> str:
    """The region a number without a country code is read in (``CRM_DEFAULT_PHONE_REGION``)."""
    region = str(getattr(settings, "CRM_DEFAULT_PHONE_REGION", "") or "CN").upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else "CN"


def region_name(code: str) -> str:
    """The Chinese (or English) name of a region, ``GB`` → 英国, from CLDR through Babel."""
    from .regions import region_label  # Babel's tables, read on first use

    return region_label(code)


def normalize_phone(value: str, *, mobile_only: bool = False, region: str | None = None) -> str:
    """A phone number as stored: a mainland one as digits (``13812345678``; fixed lines
    ``01062345678``), as it always was; any other country's in E.164 (``+442079460958``).

    A number written without a country code is read in ``region`` (by default
    ``CRM_DEFAULT_PHONE_REGION``, CN). ``mobile_only``: a mainland mobile (a WeChat ID)."""
    raw = _PLUS_ZERO.sub("+", value.strip())
    home = (region or default_phone_region()).upper()
    # eleven digits from 1: a mainland mobile or nothing, its type decided by its first five
    # digits (libphonenumber's CN mobile pattern); asked once per 7-digit prefix
    eleven = len(raw) == 11 and raw[0] == "1" and raw.isascii() and raw.isdigit()
    if home == "CN" and eleven and _mainland_mobile(raw[:7]):
        return raw
    try:
        number = phonenumbers.parse(raw, home)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise ValueError(
                _("国家代码不存在，外国号码请写成 +国家代码 号码，如 +44 20 7946 0958")
            ) from exc
        raise ValueError(_("电话号码格式不正确")) from exc
    if mobile_only and number.country_code != MAINLAND:
        raise ValueError(_("不是有效的中国大陆手机号码"))
    if number.country_code != MAINLAND:
        return _foreign(number)
    # +86 is one region's: a number of no known type is what is_valid_number refuses (asked
    # once, not twice: an import judges a hundred thousand of them)
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        raise ValueError(_("不是有效的中国大陆电话号码"))
    if kind not in (_MOBILE_TYPES if mobile_only else _PHONE_TYPES):
        raise ValueError(_("不是有效的中国大陆手机号码"))
    if kind == phonenumbers.PhoneNumberType.MOBILE and not number.italian_leading_zero:
        return str(number.national_number)  # a mobile's national format has no trunk prefix
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)


@lru_cache(maxsize=20_000)
def _mainland_mobile(prefix: str) -> bool:
    """Whether the 11-digit numbers starting with ``prefix`` (7 digits) are mainland mobiles,
    as libphonenumber types them (the rest of the number does not change its type)."""
    number = phonenumbers.parse(prefix + "0000", "CN")
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


_TOO = {
    phonenumbers.ValidationResult.TOO_SHORT: gettext_noop(
        "%(country)s电话号码（+%(code)s）位数太少"
    ),
    phonenumbers.ValidationResult.TOO_LONG: gettext_noop(
        "%(country)s电话号码（+%(code)s）位数太多"
    ),
}


def _foreign(number: phonenumbers.PhoneNumber) -> str:
    """A number of another country in E.164, if libphonenumber holds it possible and valid."""
    where = phonenumbers.region_code_for_country_code(number.country_code or 0)
    if where == "ZZ":
        raise ValueError(_("国家代码 +%(code)s 不存在") % {"code": number.country_code})
    named = {"country": region_name(where) if where != "001" else "", "code": number.country_code}
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _TOO:
        raise ValueError(_(_TOO[reason]) % named)
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("不是有效的%(country)s电话号码（+%(code)s）") % named)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parsed(stored: str) -> phonenumbers.PhoneNumber | None:
    if not stored.startswith("+") or "*" in stored:
        return None
    try:
        return phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return None


def format_phone(stored: str) -> str:
    """A stored phone as shown: a foreign one in the international format
    (``+442079460958`` → ``+44 20 7946 0958``); a mainland one (and a masked one) as it is."""
    number = _parsed(stored)
    if number is None:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_foreign_phone(stored: str) -> str | None:
    """``+442079460958`` → ``+44 20****0958``: the country code, the first two digits of the
    number (the area) and the last four; None for a mainland number."""
    number = _parsed(stored)
    if number is None:
        return None
    national = phonenumbers.national_significant_number(number)
    head = national[: max(0, min(2, len(national) - 7))]
    return f"+{number.country_code} {head}****{national[-4:]}"


def normalize_time_zone(value: str) -> str:
    """An IANA time zone (``Europe/London``, ``America/New_York``), as the tz database spells it
    (case ignored when typed)."""
    zones = _time_zones()
    found = zones.get(value.strip().lower())
    if found is None:
        raise ValueError(_("不是有效的时区，请填写 IANA 时区名称，如 Europe/London"))
    return found


def _time_zones() -> dict[str, str]:
    global _ZONES
    if _ZONES is None:
        names = zoneinfo.available_timezones() - {"localtime", "Factory"}
        _ZONES = {name.lower(): name for name in names}
    return _ZONES


_ZONES: dict[str, str] | None = None


def normalize_website(value: str) -> str:
    """A web address (http or https); one typed without its scheme (``example.com``) is
    read as https."""
    url = value.strip()
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValueError(_("网址格式不正确，如 https://www.example.com")) from exc
    return url


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
            return normalize_phone(v, mobile_only=True, region="CN")
        except ValueError as exc:
            raise ValueError(_("手机号作微信号时应为有效的中国大陆手机号码")) from exc
    raise ValueError(
        _("微信号应为 6–20 位，以字母开头，只含字母、数字、下划线和减号；也可以是手机号")
    )
