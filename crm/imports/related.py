"""Imports of what belongs to existing customers: their contacts (联系人), their follow-up
records (跟进记录, the history a company brings from its spreadsheets) and their past purchases
(购买记录: a shop's order history, one product per row, named by its catalogue code or name;
the rows of one shop order number become one order with a line per item).

Each row names its customer in one column: the customer number (KH000123), a phone number of
the customer, or its name when exactly one customer the importer may act on has it. The rest
of the row goes through the entity's declared input (``contact_row``, ``followup_row``,
``purchase_row``: the rules of a single create), and the run writes each row through the
entity's own service (``contact_create``, ``followup_record``, ``purchase_record``), so the
scope check, the search index, the customer's follow-up state and the audit are exactly those
of a record entered by hand. These imports are smaller than a company's customer list, and
their rows are written one by one: a few hundred rows a second, not the customer import's
batches.

A row repeating an earlier row of the file, or a record already in the system (a contact of
the same customer, name and phone; a follow-up of the same customer, kind and time; a purchase
of the same customer and shop order number, or without one of the same day, product and
quantity), is skipped: importing the same file twice adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import ADD_FOLLOWUP, CHANGE_CUSTOMER, CHANGE_ORDER
from crm.activities import services as activity_services
from crm.activities.choices import FollowUpKind, PlanMethod
from crm.activities.inputs import followup_row
from crm.activities.models import FollowUp
from crm.core.errors import DomainError
from crm.core.inputs import RowResult
from crm.core.permissions import restrict
from crm.core.regions import Currency
from crm.core.validators import normalize_phone
from crm.customers import crypto, sensitive
from crm.customers import services as customer_services
from crm.customers.choices import ContactRole, Gender
from crm.customers.inputs import contact_row
from crm.customers.models import Contact, Customer
from crm.orders import services as order_services
from crm.orders.inputs import purchase_row
from crm.orders.models import Order, OrderLine, PaymentMethod
from crm.products.models import Product

from .fields import CUSTOMER
from .models import ImportRow, Outcome, Target
from .rows import Seen, Verdict, _choices, batches

ACTIONS: dict[str, str] = {
    Target.CONTACTS: CHANGE_CUSTOMER,
    Target.FOLLOWUPS: ADD_FOLLOWUP,
    Target.PURCHASES: CHANGE_ORDER,
}
VALIDATORS: dict[str, Callable[[Mapping[str, Any]], RowResult]] = {
    Target.CONTACTS: contact_row,
    Target.FOLLOWUPS: followup_row,
    Target.PURCHASES: purchase_row,
}
_DAY = re.compile(r"^(\d{4})[./年-](\d{1,2})[./月-](\d{1,2})日?(?:[\sT].*)?$")
_NUMBER = re.compile(r"^KH0*(\d{1,12})$", re.IGNORECASE)
_MOMENT = re.compile(
    r"^(\d{4})[./年-](\d{1,2})[./月-](\d{1,2})日?"
    r"(?:[\sT]*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?[秒分]?)?$"
)
_WHOLE = ("age", "satisfaction")
_MOMENTS = ("occurred_at", "next_at")
_DAYS = ("order_date",)
_PAYMENT_WORDS = {
    "支付宝": PaymentMethod.ONLINE,
    "微信": PaymentMethod.ONLINE,
    "微信支付": PaymentMethod.ONLINE,
    "网银": PaymentMethod.ONLINE,
    "转账": PaymentMethod.TRANSFER,
    "对公转账": PaymentMethod.TRANSFER,
    "现金": PaymentMethod.CASH,
}


class RelatedReader:
    """A row's cells as the input's values: choices by value or Chinese label (电话, 男,
    董事长/老板), times as typed in China (2024/3/5 14:30, 2024年3月5日), whole numbers read
    from text or from Excel's 3.0."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = {int(i): f for i, f in mapping.items()}
        self.tables = {
            "role": _choices(ContactRole),
            "gender": _choices(Gender),
            "kind": _choices(FollowUpKind),
            "next_method": _choices(PlanMethod),
            "payment_method": _choices(PaymentMethod, _PAYMENT_WORDS),
            "currency": _choices(Currency, {"人民币": "CNY", "美元": "USD", "欧元": "EUR"}),
        }

    def data(self, cells: list[Any]) -> tuple[dict[str, Any], Any]:
        data: dict[str, Any] = {}
        customer: Any = None
        for index, name in self.mapping.items():
            value = cells[index] if index < len(cells) else None
            if value is None:
                continue
            if name == CUSTOMER:
                customer = value
                continue
            data[name] = self.value(name, value)
        return data, customer

    def value(self, name: str, value: Any) -> Any:
        if name in self.tables and isinstance(value, str):
            text = value.strip()
            table = self.tables[name]
            return table.get(text.lower(), table.get(text, text))
        if name in _WHOLE:
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and value.strip().isdigit():
                return int(value.strip())
        if name in _MOMENTS:
            return _moment(value)
        if name in _DAYS:
            return _day(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(int(value)) if float(value).is_integer() else str(value)
        return value


def _day(value: Any) -> Any:
    """A date as a spreadsheet holds it: a date cell, or text as Chinese sheets write it
    (2024/3/5, 2024年3月5日, a shop's 2024-03-05 14:30:00)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        match = _DAY.match(value.strip())
        if match:
            y, m, d = (int(g) for g in match.groups())
            return f"{y:04d}-{m:02d}-{d:02d}"
    return value


class Products:
    """The catalogue products a purchase row names: by its code, or its name when one product
    has it."""

    def find(self, texts: set[str]) -> dict[str, tuple[int | None, str]]:
        found: dict[str, list[Product]] = {}
        for p in Product.objects.filter(Q(code__in=texts) | Q(name__in=texts)).only(
            "pk", "code", "name"
        ):
            for text in {p.code, p.name} & texts:
                found.setdefault(text, []).append(p)
        result: dict[str, tuple[int | None, str]] = {}
        for text in texts:
            matches = {p.pk for p in found.get(text, [])}
            if len(matches) == 1:
                result[text] = (next(iter(matches)), "")
            elif matches:
                result[text] = (
                    None,
                    _("有多个产品名为“%(name)s”，请填写产品编号") % {"name": text},
                )
            else:
                result[text] = (
                    None,
                    _("找不到产品“%(name)s”（请填写产品目录中的产品编号或名称）") % {"name": text},
                )
        return result


def _moment(value: Any) -> Any:
    """A time as a spreadsheet holds it: a datetime, a date (that day, 00:00), or text in the
    ways Chinese sheets write it; local time (the declared input makes it aware)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=timezone.get_current_timezone())
    if isinstance(value, str):
        match = _MOMENT.match(value.strip())
        if match:
            y, m, d, hh, mm, ss = (int(g) if g else 0 for g in match.groups())
            try:
                return dt.datetime(y, m, d, hh, mm, ss, tzinfo=timezone.get_current_timezone())
            except ValueError:
                return value  # the input's own message: 时间无效
    return value


class Customers:
    """The customers rows name, among those the importer may act on (``action``)."""

    def __init__(self, actor: User, action: str) -> None:
        self.alive = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, action)

    def find(self, cells: list[Any]) -> dict[str, tuple[Customer | None, str]]:
        """Each distinct text of a batch's customer column → (customer, error)."""
        texts = {_text(c) for c in cells if _text(c)}
        numbers: dict[int, str] = {}
        phones: dict[str, str] = {}
        for text in texts:
            match = _NUMBER.match(text)
            if match:
                numbers[int(match.group(1))] = text
                continue
            with contextlib.suppress(ValueError):  # not a phone: a name
                phones[crypto.blind_index(normalize_phone(text), sensitive.PHONE)] = text
        found: dict[str, list[Customer]] = {}
        # by name only what is neither a number nor a phone: a name has no index, and one
        # name in the batch scans every customer; a phone states its unique index's condition
        # (not blank), or SQLite does not use it
        names = texts - set(numbers.values()) - set(phones.values())
        q = Q(pk__in=numbers) if numbers else Q(pk__in=[])
        if names:
            q |= Q(name__in=names)
        if phones:
            q |= Q(phone_index__in=phones) & ~Q(phone_index="")
        for c in self.alive.filter(q).only("pk", "number", "name", "phone_index", "owner_id"):
            for named in {numbers.get(c.pk), phones.get(c.phone_index), c.name}:
                if named is not None and named in texts:
                    found.setdefault(named, []).append(c)
        result: dict[str, tuple[Customer | None, str]] = {}
        for text in texts:
            matches = {c.pk: c for c in found.get(text, [])}
            if len(matches) == 1:
                result[text] = (next(iter(matches.values())), "")
            elif matches:
                result[text] = (
                    None,
                    _("有多位客户名为“%(name)s”，请填写客户编号") % {"name": text},
                )
            else:
                result[text] = (
                    None,
                    _("找不到客户“%(name)s”，或您无权为其导入") % {"name": text},
                )
        return result


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _phone_key(phone: str) -> str:
    return crypto.blind_index(phone, sensitive.PHONE) if phone else ""


def _products(target: str, rows: list[dict[str, Any]]) -> dict[str, tuple[int | None, str]]:
    if target != Target.PURCHASES:
        return {}
    texts = {_text(d["product"]) for d in rows if _text(d.get("product"))}
    return Products().find(texts) if texts else {}


def _product(data: dict[str, Any], products: Mapping[str, tuple[int | None, str]]) -> str:
    """A purchase row's product text replaced by the product's id; the error if none."""
    if "product" not in data or not products:
        return ""
    pk, error = products.get(_text(data["product"]), (None, ""))
    if pk is not None:
        data["product"] = pk
        return ""
    data.pop("product")
    return error


def _key(target: str, customer: Customer, cleaned: Mapping[str, Any]) -> tuple[Any, ...] | None:
    if target == Target.PURCHASES:
        if cleaned.get("external_number"):
            return (customer.pk, "#", cleaned["external_number"])
        return (customer.pk, cleaned["order_date"], cleaned["product"], cleaned["quantity"])
    if target == Target.CONTACTS:
        phone = cleaned.get("phone") or ""
        return (customer.pk, cleaned.get("name", ""), _phone_key(phone))
    occurred = cleaned.get("occurred_at")
    if occurred is None:
        return None  # "now": never the same as another row's
    return (customer.pk, cleaned.get("kind"), occurred)


def _held(
    target: str, keyed: list[tuple[Verdict, tuple[Any, ...]]], job_id: int | None
) -> set[tuple[Any, ...]]:
    """The keys already in the system (one query per batch)."""
    ids = {k[0] for _v, k in keyed}
    if not ids:
        return set()
    if target == Target.PURCHASES:
        return _held_purchases(ids, [k for _v, k in keyed], job_id)
    if target == Target.CONTACTS:
        contacts = Contact.objects.filter(
            customer_id__in=ids, name__in={k[1] for _v, k in keyed}
        ).values_list("customer_id", "name", "phone_index")
        return set(contacts)
    rows = FollowUp.objects.filter(
        customer_id__in=ids, occurred_at__in={k[2] for _v, k in keyed}
    ).values_list("customer_id", "kind", "occurred_at")
    return set(rows)


def judge(
    *,
    actor: User,
    target: str,
    mapping: Mapping[str, str],
    rows: Iterable[tuple[int, list[Any]]],
    job_id: int | None = None,
) -> Iterator[list[Verdict]]:
    """Every row's verdict, in batches: ``customer`` the customer it belongs to, ``twin`` an
    earlier row it repeats, ``duplicate_field`` "record" when the system already holds it,
    ``lead`` the earlier row of the shop order a purchase row joins. ``job_id``: the import
    judged, whose own orders (a resumed run's, written before the restart) are not held."""
    reader = RelatedReader(mapping)
    customers = Customers(actor, ACTIONS[target])
    validate = VALIDATORS[target]
    seen = Seen()
    for chunk in batches(rows):
        read = [(n, cells, *reader.data(cells)) for n, cells in chunk]
        named = customers.find([c for _n, _cells, _d, c in read])
        products = _products(target, [d for _n, _cells, d, _c in read])
        batch: list[Verdict] = []
        keyed: list[tuple[Verdict, tuple[Any, ...]]] = []
        for number, cells, data, cell in read:
            verdict = Verdict(number, cells)
            product_error = _product(data, products)
            result = validate(data)
            errors = dict(result.errors)
            if product_error:
                errors["product"] = product_error
            customer, error = named.get(_text(cell), (None, _("请填写客户（编号、名称或电话）")))
            if error:
                errors = {CUSTOMER: error, **errors}
            if errors:
                verdict.errors = errors
            else:
                assert customer is not None
                assert result.cleaned is not None
                verdict.cleaned, verdict.customer = result.cleaned, customer
                key = _key(target, customer, result.cleaned)
                if key is not None:
                    keyed.append((verdict, key))
            batch.append(verdict)
        held = _held(target, keyed, job_id)
        for verdict, key in keyed:
            if key[1:2] == ("#",):
                _join(seen, held, verdict, key)
                continue
            twin = seen.get(key)
            if twin is not None:
                verdict.twin, verdict.duplicate_field = twin, "record"
            elif key in held:
                verdict.duplicate_field = "record"
            seen.add(key, verdict.row)
        yield batch


def _join(seen: Seen, held: set[tuple[Any, ...]], verdict: Verdict, key: tuple[Any, ...]) -> None:
    """A purchase row with a shop order number: a shop exports an order of several items as one
    row per item, so a row of an order number seen earlier in the file joins that row's order
    (``lead``) unless it repeats one of its items (same product, quantity and price: a twin).
    An order the system already holds is skipped, every row of it."""
    assert verdict.cleaned is not None
    cleaned = verdict.cleaned
    item = (*key, cleaned["product"], cleaned["quantity"], cleaned.get("unit_price"))
    twin = seen.get(item)
    lead = seen.get(key)
    if twin is not None:
        verdict.twin, verdict.duplicate_field = twin, "record"
    elif lead is not None and seen.get(("held", *key)) is None:
        verdict.lead = lead
    elif lead is not None or key in held:
        # held: checked after the file's own rows, as the run writes an order between batches
        verdict.duplicate_field = "record"
        seen.add(("held", *key), verdict.row)
    seen.add(key, verdict.row)
    seen.add(item, verdict.row)


def _held_purchases(
    ids: set[int], keys: list[tuple[Any, ...]], job_id: int | None
) -> set[tuple[Any, ...]]:
    """The purchases already recorded: by a customer's shop order number, else by the day, the
    product and the quantity. The import's own orders are not (their rows join them)."""
    held: set[tuple[Any, ...]] = set()
    numbers = {k[2] for k in keys if k[1] == "#"}
    if numbers:
        orders = Order.objects.filter(customer_id__in=ids, external_number__in=numbers)
        if job_id is not None:
            own = ImportRow.objects.filter(
                job_id=job_id, outcome=Outcome.CREATED, object_id__isnull=False
            )
            orders = orders.exclude(pk__in=own.values("object_id"))
        held |= {(c, "#", n) for c, n in orders.values_list("customer_id", "external_number")}
    days = {k[1] for k in keys if k[1] != "#"}
    if days:
        lines = OrderLine.objects.filter(
            order__customer_id__in=ids, order__order_date__in=days
        ).values_list("order__customer_id", "order__order_date", "product_id", "quantity")
        held |= set(lines)
    return held


def duplicate_message(target: str, verdict: Verdict) -> str:
    if verdict.twin is not None:
        return _("与第 %(row)s 行重复") % {"row": verdict.twin}
    if target == Target.PURCHASES:
        return _("该客户已有同一订单号（或同日同产品同数量）的购买记录")
    if target == Target.CONTACTS:
        return _("该客户已有同名同电话的联系人")
    return _("该客户已有同一时间、同一方式的跟进记录")


def write(actor: User, target: str, verdict: Verdict) -> int:
    """Write one valid row through the entity's service; returns the new record's id."""
    assert verdict.cleaned is not None
    assert verdict.customer is not None
    data = {k: v for k, v in verdict.cleaned.items() if v is not None and v != ""}
    with transaction.atomic():
        if target == Target.PURCHASES:
            order = order_services.purchase_record(
                actor=actor, customer_id=verdict.customer.pk, data=data
            )
            return int(order.pk)
        if target == Target.CONTACTS:
            contact = customer_services.contact_create(
                actor=actor, customer_id=verdict.customer.pk, data=data
            )
            return int(contact.pk)
        followup = activity_services.followup_record(
            actor=actor, customer_id=verdict.customer.pk, data=data
        )
        return int(followup.pk)


def write_line(actor: User, verdict: Verdict, order_id: int) -> None:
    """Write a purchase row that joins an order written from an earlier row (``lead``)."""
    assert verdict.cleaned is not None
    data = {k: v for k, v in verdict.cleaned.items() if v is not None and v != ""}
    order_services.purchase_line_add(actor=actor, order_id=order_id, data=data)


def undo(actor: User, target: str, customer_id: int, object_id: int) -> bool:
    """Take back one imported contact or purchase if it is as imported (version 1); False:
    kept."""
    if target == Target.PURCHASES:
        try:
            return order_services.purchase_remove(actor=actor, order_id=object_id)
        except DomainError:
            return False
    if target != Target.CONTACTS:
        return False
    try:
        with transaction.atomic():
            customer_services.contact_delete(
                actor=actor, customer_id=customer_id, contact_id=object_id, version=1
            )
    except DomainError:
        return False
    return True
