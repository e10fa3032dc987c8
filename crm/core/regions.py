"""Countries (ISO 3166-1), languages (ISO 639-1) and currencies (ISO 4217) as choices, named in
the reader's language from CLDR (through Babel, already a dependency) rather than from 250
catalogue entries: ``GB`` reads 英国 in Chinese and United Kingdom in English.

Each list is a ``TextChoices`` whose labels are lazy, so ``crm.core.inputs.Choice``, the model
fields and the web forms use them like any other choice.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import phonenumbers
from babel import Locale
from babel.numbers import get_territory_currencies
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language

# CLDR's groupings and private-use codes, which no customer lives in
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "XK", "ZZ"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse("en" if language.startswith("en") else "zh_Hans_CN")


def _language() -> str:
    return get_language() or "zh-hans"


def region_label(code: str) -> str:
    """``GB`` → 英国 (United Kingdom in English); the code itself when CLDR has no name."""
    return str(_locale(_language()).territories.get(code, code))


def language_label(code: str) -> str:
    return str(_locale(_language()).languages.get(code, code))


def currency_label(code: str) -> str:
    name = _locale(_language()).currencies.get(code, code)
    return f"{code} {name}"


_region_lazy = lazy(region_label, str)
_language_lazy = lazy(language_label, str)
_currency_lazy = lazy(currency_label, str)

_ROOT = Locale.parse("zh_Hans_CN")
COUNTRY_CODES: tuple[str, ...] = tuple(
    sorted(
        c
        for c in map(str, _ROOT.territories)
        if re.fullmatch("[A-Z]{2}", c) and c not in _NOT_COUNTRIES
    )
)
LANGUAGE_CODES: tuple[str, ...] = tuple(
    sorted(c for c in map(str, _ROOT.languages) if re.fullmatch("[a-z]{2}", c))
)
# the currencies some country uses today (CLDR): no historical ones (DEM, FRF)
CURRENCY_CODES: tuple[str, ...] = tuple(
    sorted({cur for c in COUNTRY_CODES for cur in get_territory_currencies(c, dt.date(2026, 1, 1))})
)

# China, then the usual trading partners first, then the rest by code
_FIRST_COUNTRIES = ("CN", "HK", "MO", "TW", "US", "GB", "JP", "KR", "DE", "FR", "SG", "AU")
_FIRST_LANGUAGES = ("zh", "en", "ja", "ko", "de", "fr", "es", "ru", "ar", "pt")
_FIRST_CURRENCIES = ("CNY", "USD", "EUR", "JPY", "GBP", "HKD", "KRW", "AUD", "CAD", "SGD")


def _ordered(first: tuple[str, ...], codes: tuple[str, ...]) -> list[str]:
    return [*first, *(c for c in codes if c not in first)]


def _choices(name: str, label: Any, codes: list[str]) -> type[models.TextChoices]:
    made: type[models.TextChoices] = models.TextChoices(  # type: ignore[call-overload]
        name, [(c, (c, label(c))) for c in codes]
    )
    return made


Country = _choices("Country", _region_lazy, _ordered(_FIRST_COUNTRIES, COUNTRY_CODES))
Language = _choices("Language", _language_lazy, _ordered(_FIRST_LANGUAGES, LANGUAGE_CODES))
Currency = _choices("Currency", _currency_lazy, _ordered(_FIRST_CURRENCIES, CURRENCY_CODES))


def country_of_phone(stored: str) -> str:
    """The country of a stored phone: CN for a mainland one, else its E.164 number's."""
    if not stored:
        return ""
    if not stored.startswith("+"):
        return "CN"
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(stored, None))
    except phonenumbers.NumberParseException:
        return ""
    return region if region in COUNTRY_CODES else ""


# callables for model fields' ``choices``: a migration names the function, not 250 pairs
def country_choices() -> list[tuple[str, str]]:
    return list(Country.choices)


def language_choices() -> list[tuple[str, str]]:
    return list(Language.choices)


def currency_choices() -> list[tuple[str, str]]:
    return list(Currency.choices)


_ALIASES = {"USA": "US", "U.S.A.": "US", "UK": "GB", "ENGLAND": "GB", "中华人民共和国": "CN"}


@cache
def _country_names() -> dict[str, str]:
    names = {c: c for c in COUNTRY_CODES}
    for locale in (_locale("en"), _locale("zh-hans")):
        for code in COUNTRY_CODES:
            name = locale.territories.get(code)
            if name:
                names[str(name).upper()] = code
    names.update(_ALIASES)
    return names


def country_code_of(text: str) -> str:
    """A country as an address writes it (United States, USA, 美国, US) → its code, or ""."""
    return _country_names().get(text.strip().upper(), "")
