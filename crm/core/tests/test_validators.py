"""Chinese identifiers validated with real test vectors (GB 11643, GB 32100, mainland phones)."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.core.validators import (
    id_check_char,
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
    organization_key,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8619912345678", "19912345678"),
        ("010-62345678", "01062345678"),
        ("(021) 6234 5678", "02162345678"),
    ],
)
def test_valid_phones_are_stored_normalised(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["12345678901", "1381234567", "138123456789", "15412345678", "abc", "", "+1 650 253 000"],
)
def test_invalid_phones_are_refused(typed):
    with pytest.raises(ValueError, match="号码"):
        normalize_phone(typed)


def test_mobile_only_refuses_a_fixed_line():
    with pytest.raises(ValueError, match="手机"):
        normalize_phone("010-62345678", mobile_only=True)


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "440524198001010013", "320102198511223011", "11010119900307803X"],
)
def test_valid_id_numbers(number):
    assert normalize_id_number(number.lower()) == number.upper()


def test_id_check_digit_of_the_standard_example():
    # GB 11643-1999 appendix example: 11010519491231002X
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("1101051949123100211", "18位"),
        ("11010519491331002X", "出生日期"),
        ("110105180001010010", "出生日期"),  # before 1900: not a living customer
        ("01010519491231002X", "18位"),
    ],
)
def test_invalid_id_numbers_say_why(number, reason):
    with pytest.raises(ValueError, match=reason):
        normalize_id_number(number)


def test_id_number_born_in_the_future_is_refused():
    with pytest.raises(ValueError, match="出生日期"):
        normalize_id_number("110105203001010016", today=dt.date(2026, 11, 27))


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000100001342C", "91440300MA5DC2LX49"])
def test_valid_credit_codes(code):
    assert normalize_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18位"),
        ("91350100I000100Y43", "18位"),  # I is not in the code's alphabet
        ("91350100O000100Y43", "18位"),
    ],
)
def test_invalid_credit_codes_say_why(code, reason):
    with pytest.raises(ValueError, match=reason):
        normalize_credit_code(code)


def test_organisation_names_compare_ignoring_width_case_and_spaces():
    assert organization_key("北京华联（集团） 有限公司") == organization_key(
        "北京华联(集团)有限公司"
    )
    assert organization_key("ABC Trading") == organization_key("abc trading")


def test_eleven_digits_from_1_are_judged_as_with_the_country_code():
    # the shortcut for mainland mobiles (typed as 11 digits) must accept and refuse exactly what
    # libphonenumber does for the same number written with +86, for every 5-digit prefix
    import random

    from crm.core.validators import normalize_phone

    rnd = random.Random(11)

    def outcome(value: str) -> str:
        try:
            return normalize_phone(value)
        except ValueError:
            return "refused"

    for prefix in range(10000, 20000):
        number = f"{prefix}{rnd.randrange(10**6):06d}"
        assert outcome(number) == outcome("+86" + number), number
