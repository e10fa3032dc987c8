"""Schemathesis hooks for ``test_fuzz.py`` (loaded by the fuzzer through ``SCHEMATHESIS_HOOKS``).

1. Generators for the custom formats the OpenAPI document declares: ``phone`` (mainland
   mobiles and foreign numbers with their country code), ``cn-resident-id``, ``cn-credit-code``,
   ``iana-time-zone`` and ``web-address`` (each also blank, meaning none).
2. What a static schema cannot say, for the *positive* cases only (negative ones go as drawn):
   references to rows that exist (the owner of a customer; its 认知途径 code; the assignee of a
   plan, who must be able to read its customer; a defeat reason; the plan a follow-up answers;
   a department) and bounds relative to the clock (a follow-up not in the future, a plan from
   yesterday on, a deal and a deposit not after today, a next follow-up not in the past). The
   ids come from the test through ``CRM_FUZZ_*`` variables. Each such rule is stated in the
   field's description and tested by the API tests. Uploads are given a real picture: the
   kind of a file is judged by its content, which a schema's binary string cannot say.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

from crm.core.validators import USCC_CHARS, credit_code_check_char, id_check_char
from crm.customers.samples import MOBILE_PREFIXES

_DIGITS = "0123456789"


def _id_number(born: dt.date, serial: str) -> str:
    first17 = f"110101{born:%Y%m%d}{serial}"
    return first17 + id_check_char(first17)


def _credit_code(body: str) -> str:
    return body + credit_code_check_char(body)


phones = st.builds(
    lambda prefix, tail: prefix + tail,
    st.sampled_from(MOBILE_PREFIXES),
    st.text(_DIGITS, min_size=8, max_size=8),
)
id_numbers = st.builds(
    _id_number,
    st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)),
    st.text(_DIGITS, min_size=3, max_size=3),
)
credit_codes = st.builds(
    _credit_code,
    st.builds(
        lambda head, rest: head + rest,
        st.sampled_from(["91", "92", "93", "11", "12"]),
        st.text(USCC_CHARS, min_size=15, max_size=15),
    ),
)
# numbers of other countries, written as people type them (valid per libphonenumber)
foreign_phones = st.sampled_from(
    ["+44 20 7946 0958", "+1 650-253-0000", "+81 3-1234-5678", "+49 30 12345678", "+852 2123 4567"]
)
schemathesis.openapi.format("phone", st.just("") | phones | foreign_phones)
schemathesis.openapi.format(
    "iana-time-zone",
    st.sampled_from(["", "Asia/Shanghai", "Europe/London", "America/New_York", "Asia/Tokyo"]),
)
schemathesis.openapi.format(
    "web-address",
    st.just("") | st.from_regex(r"https://www\.[a-z]{1,20}\.(com|cn|de)", fullmatch=True),
)
schemathesis.openapi.format("cn-resident-id", st.just("") | id_numbers)
schemathesis.openapi.format("cn-credit-code", st.just("") | credit_codes)
wechat_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{5,19}", fullmatch=True)
schemathesis.openapi.format("wechat-id", st.just("") | wechat_ids | phones)
bank_accounts = st.text(_DIGITS, min_size=8, max_size=30)
schemathesis.openapi.format("bank-account", st.just("") | bank_accounts)


def _ids(name: str) -> list[int]:
    return [int(v) for v in os.environ.get(name, "").split(",") if v]


def _moment(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _within_the_clock(body: dict[str, Any]) -> None:
    now = dt.datetime.now(dt.UTC)
    occurred = _parse(body.get("occurred_at")) if body.get("occurred_at") else None
    if occurred is not None and occurred > now:
        body["occurred_at"] = _moment(now - dt.timedelta(hours=1))
    next_at = _parse(body.get("next_at")) if body.get("next_at") else None
    if next_at is not None and next_at < now:
        body["next_at"] = _moment(now + dt.timedelta(days=1))
    planned = _parse(body.get("planned_at")) if body.get("planned_at") else None
    if planned is not None and planned < now:
        body["planned_at"] = _moment(now + dt.timedelta(days=1))
    today = dt.datetime.now(dt.UTC).date()
    at = _parse(body.get("at")) if body.get("at") else None  # a registration: the last 7 days
    if at is not None and not now - dt.timedelta(days=6) < at < now:
        body["at"] = _moment(now - dt.timedelta(hours=1))
    until = body.get("until")  # a share's last day: today up to a year
    if isinstance(until, str) and not today.isoformat() <= until <= str(
        today.replace(year=today.year + 1)
    ):
        body["until"] = (today + dt.timedelta(days=7)).isoformat()
    for field in ("deal_on", "deposit_on", "occurred_on"):  # not after today
        day = body.get(field)
        if isinstance(day, str) and day > today.isoformat():
            body[field] = (today - dt.timedelta(days=1)).isoformat()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _existing(body: dict[str, Any]) -> None:
    reasons = _ids("CRM_FUZZ_DEFEAT_REASONS")
    sources = [c for c in os.environ.get("CRM_FUZZ_SOURCES", "").split(",") if c]
    if isinstance(body.get("source"), str) and body["source"] and sources:
        body["source"] = sources[len(body["source"]) % len(sources)]
    for field, users in (("owner", "CRM_FUZZ_OWNERS"), ("assignee", "CRM_FUZZ_ASSIGNEES")):
        ids = _ids(users)
        if isinstance(body.get(field), int | float) and ids:
            body[field] = ids[int(body[field]) % len(ids)]
    people = _ids("CRM_FUZZ_OWNERS")
    for field in ("members", "admins"):  # a pool's people (crm.pool): existing users
        if isinstance(body.get(field), list) and people:
            body[field] = [people[int(v) % len(people)] for v in body[field] if _number(v)]
    departments = _ids("CRM_FUZZ_DEPARTMENTS")
    if _number(body.get("department")) and departments:
        body["department"] = departments[int(body["department"]) % len(departments)]
    if "plan" in body:
        body["plan"] = None
    colleagues = _ids("CRM_FUZZ_COLLEAGUES")  # whom the kept customer may be shared with
    if isinstance(body.get("user"), int | float) and colleagues:
        body["user"] = colleagues[int(body["user"]) % len(colleagues)]
    reps = _ids("CRM_FUZZ_REPS")  # the reception desk's rotation (rep_a, rep_b)
    for field in ("named_rep", "helper", "accused"):
        if isinstance(body.get(field), int | float) and reps:
            body[field] = reps[int(body[field]) % len(reps)]
    if isinstance(body.get("users"), list):
        body["users"] = reps[: len(body["users"])]
    if isinstance(body.get("customer"), int | float):
        body["customer"] = None
    departments = _ids("CRM_FUZZ_DEPARTMENTS")
    if isinstance(body.get("department"), int | float) and departments:
        body["department"] = departments[int(body["department"]) % len(departments)]
    defeat = body.get("defeat")
    if isinstance(defeat, dict) and isinstance(defeat.get("reason"), int | float) and reasons:
        defeat["reason"] = reasons[int(defeat["reason"]) % len(reasons)]


def _referral(body: dict[str, Any]) -> None:
    """老带新: a link names a card that exists and is valid today, or a retained customer (one of
    the two); a card's period ends neither before it starts nor before today."""
    card, referrer = os.environ.get("CRM_FUZZ_CARD", ""), os.environ.get("CRM_FUZZ_REFERRER", "")
    if "card_code" in body or "referrer_number" in body:
        if isinstance(body.get("card_code"), str) and body["card_code"].strip() and card:
            body["card_code"] = card
            body.pop("referrer_number", None)
        elif referrer:
            body["referrer_number"] = referrer
            body.pop("card_code", None)
    if "referral_card" in body or "referrer" in body:  # a registration at the reception desk
        shown = isinstance(body.get("referral_card"), str) and body["referral_card"].strip()
        came = isinstance(body.get("referrer"), str) and body["referrer"].strip()
        body["referral_card"] = card if shown and card else ""
        body["referrer"] = referrer if came and not shown and referrer else ""
    today = dt.datetime.now(dt.UTC).date()
    if "valid_from" in body or "valid_until" in body:
        if body.get("valid_from") is not None:
            body["valid_from"] = today.isoformat()
        if body.get("valid_until") is not None:
            body["valid_until"] = (today + dt.timedelta(days=30)).isoformat()


# a 1×1 PNG: an upload's content is judged by what it is, which a binary string cannot say
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63600000000200014873fa710000000049454e44ae426082"
)


def _pictures(body: dict[str, Any]) -> None:
    files = body.get("files")
    if isinstance(files, list):
        body["files"] = [_PNG for _ in files]


def _spreadsheet() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "手机"])
    sheet.append(["导入客户", "13600000009"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import_file(path: str, body: dict[str, Any]) -> None:
    """A customer import's upload is a real spreadsheet (an .xlsx judged by its content)."""
    if path.endswith("/imports") and "file" in body:
        body["file"] = _spreadsheet()


def _governance(path: str, body: dict[str, Any]) -> None:
    """交接: the fixtures' leaver handed over (a transfer) to the fixtures' receiver, no customer
    chosen one by one; 数据核查: a round due in a week, a correction with no changes sent (the
    record then counts as corrected only if edited since: 409 otherwise)."""
    people = _ids("CRM_FUZZ_HANDOVER")
    if path.endswith("/handovers") and "leaver" in body and len(people) == 2:
        body.update(
            leaver=people[0], receivers=[people[1]], kind="transfer", chosen=[], reason="调岗"
        )
    if path.endswith("/verification/rounds") and "deadline" in body:
        body["deadline"] = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
        if isinstance(body.get("title"), str) and not body["title"].strip():
            body["title"] = "核查"
    if path.endswith("/correct"):
        body["data"] = {}


def _retrieval(path: str, body: dict[str, Any]) -> None:
    """客户数据调用申请: customers of its own (a filter drawn at random matches nobody, and a
    request for nobody is refused: 没有符合条件的客户)."""
    bulk = _ids("CRM_FUZZ_BULK")
    if path.endswith("/data-requests") and bulk:
        body["customers"] = bulk[:2]


def _list_export(path: str, body: dict[str, Any]) -> None:
    """A list export: the order list (the fixtures hold an order), a field of its own (a code
    is free text in the schema: another list's code is rightly a 422), its whole list (a drawn
    filter matches nothing: 没有符合条件的记录)."""
    if path.endswith("/list-exports"):
        body.update(target="orders", fields=["number"], filter={})


def _questionnaire(path: str, body: dict[str, Any]) -> None:
    """调查表: a question goes into the form's own first section (a section id drawn at random is
    another form's, rightly a 422); a table question has columns, a choice question choices."""
    if "/questionnaires/" in path and "/questions" in path:
        body.pop("section", None)
        if body.get("kind") == "table" and not body.get("columns"):
            body["columns"] = ["车型", "数量"]  # a table question has columns
        if body.get("kind") in ("single", "multiple", "ranked") and not body.get("choices"):
            body["choices"] = ["地段", "价格", "户型"]  # a choice question has choices
        choices, ranks = body.get("choices"), body.get("max_ranks")
        if isinstance(choices, list) and isinstance(ranks, int) and ranks > len(choices):
            body["max_ranks"] = len(choices) or None  # no more ranks than choices (own test)


def _bulk(path: str, body: dict[str, Any]) -> None:
    """A bulk action acts on customers of its own: the one path ids name keeps its owner (whom a
    plan's assignee must be able to read) and its category (where a transition starts from)."""
    ids, bulk = body.get("ids"), _ids("CRM_FUZZ_BULK")
    if "/bulk/" in path and isinstance(ids, list) and bulk:
        body["ids"] = [bulk[int(v) % len(bulk)] if isinstance(v, int) else v for v in ids]
    # a data request's chosen customers exist too (any id is schema-valid: its own test says
    # one that does not is refused)
    chosen = body.get("customers")
    if path.endswith("/data-requests") and isinstance(chosen, list) and bulk:
        body["customers"] = [bulk[int(v) % len(bulk)] if _number(v) else v for v in chosen]
    if path.endswith("/data-requests") and not chosen and isinstance(body.get("filter"), dict):
        # a filter matching nobody is refused (没有符合条件的客户): the whole list instead
        body["filter"] = {
            k: None if k == "owner" else False if k in ("mine", "shared") else ""
            for k in body["filter"]
        }


def _orders(path: str, body: dict[str, Any]) -> None:
    """订单 (crm.orders): an order or a licence of the fixtures' customer, lines of existing
    products at small amounts, no delivery date before the order date, no dates after today; a
    product in no drawn category, one price per currency; an empty payment plan (the instalments
    of a drawn plan do not add up to the order's amount: 409); a past purchase of an existing
    product."""
    customers, products = _ids("CRM_FUZZ_ORDER_CUSTOMERS"), _ids("CRM_FUZZ_PRODUCTS")
    yesterday = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    if (path.endswith(("/orders", "/medical-licences"))) and "customer" in body and customers:
        body["customer"] = customers[0]
    if path.endswith("/orders") and body.get("opportunity") is not None:
        body["opportunity"] = None  # a drawn opportunity is another customer's: rightly a 422
    lines = body.get("lines")
    if "/orders" in path and isinstance(lines, list) and products:
        for n, line in enumerate(lines):
            if isinstance(line, dict):
                line.update(product=products[n % len(products)], quantity=1, unit_price="10")
    if "/orders" in path:
        for field in ("order_date", "expected_delivery", "delivered_on"):
            if field in body:
                body[field] = None
        if "received_on" in body:
            body["received_on"] = yesterday
        if "done_on" in body:  # a property sale's step: not after today, not before the last
            body["done_on"] = yesterday
        if "instalments" in body:
            body["instalments"] = []
    if path.endswith("/purchases") and products:
        # a past purchase of an existing product, at a price, on a day that has been; one shop
        # order number is recorded once (a second is rightly a 409): none
        body.update(
            product=products[0],
            quantity=1,
            unit_price="10",
            order_date=yesterday,
            external_number="",
        )
    if "/medical-licences" in path and "issued_on" in body:
        body["issued_on"] = None
    if "/products" in path:
        if "category" in body:
            body["category"] = None
        prices = body.get("prices")
        if isinstance(prices, list):
            seen: set[Any] = set()
            kept = []
            for price in prices:
                key = price.get("currency") if isinstance(price, dict) else None
                if key not in seen:
                    seen.add(key)
                    kept.append(price)
            body["prices"] = kept


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    if meta is not None and meta.generation.mode.is_negative:
        return case
    if isinstance(case.body, dict):
        _existing(case.body)
        _within_the_clock(case.body)
        _pictures(case.body)
        _referral(case.body)
        _bulk(case.path, case.body)
        _governance(case.path, case.body)
        _retrieval(case.path, case.body)
        _list_export(case.path, case.body)
        _questionnaire(case.path, case.body)
        _import_file(case.path, case.body)
        _orders(case.path, case.body)
    departments = _ids("CRM_FUZZ_DEPARTMENTS")
    query = case.query
    department = query.get("department") if isinstance(query, dict) else None
    if isinstance(department, str) and department.isdigit():
        department = int(department)
    if isinstance(department, int | float) and departments:
        query["department"] = departments[int(department) % len(departments)]
    if isinstance(query, dict):
        _period(query)
    return case


def _period(query: dict[str, Any]) -> None:
    """A period (start, end) runs forward and spans at most a year."""
    try:
        start = dt.date.fromisoformat(str(query.get("start")))
        end = dt.date.fromisoformat(str(query.get("end")))
    except ValueError:
        return
    if end < start:
        start, end = end, start
    end = min(end, start + dt.timedelta(days=300))
    query["start"], query["end"] = start.isoformat(), end.isoformat()
