"""Imports of what belongs to existing customers: their contacts (联系人) and their follow-up
records (跟进记录, the history a company brings from its spreadsheets).

Each row names its customer in one column: the customer number (KH000123), a phone number of
the customer, or its name when exactly one customer the importer may act on has it. The rest
of the row goes through the entity's declared input (``contact_row``, ``followup_row``: the
rules of a single create), and the run writes each row through the entity's own service
(``contact_create``, ``followup_record``), so the scope check, the search index, the customer's
follow-up state and the audit are exactly those of a contact or follow-up entered by hand.
These imports are smaller than a company's customer list, and their rows are written one by
one: a few hundred rows a second, not the customer import's batches.

A row repeating an earlier row of the file, or a contact (same customer, name and phone) or a
follow-up (same customer, kind and time) already in the system, is skipped: importing the same
file twice adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import ADD_FOLLOWUP, CHANGE_CUSTOMER
from crm.activities import services as activity_services
from crm.activities.choices import FollowUpKind, PlanMethod
from crm.activities.inputs import followup_row
from crm.activities.models import FollowUp
from crm.core.errors import DomainError
from crm.core.permissions import restrict
from crm.core.validators import normalize_phone
from crm.customers import crypto, sensitive
from crm.customers import services as customer_services
from crm.customers.choices import ContactRole, Gender
from crm.customers.inputs import contact_row
from crm.customers.models import Contact, Customer

from .fields import CUSTOMER
from .models import Target
from .rows import BATCH, Verdict, _choices

ACTIONS: dict[str, str] = {Target.CONTACTS: CHANGE_CUSTOMER, Target.FOLLOWUPS: ADD_FOLLOWUP}
_NUMBER = re.compile(r"^KH0*(\d{1,12})$", re.IGNORECASE)
_MOMENT = re.compile(
    r"^(\d{4})[./年-](\d{1,2})[./月-](\d{1,2})日?"
    r"(?:[\sT]*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?[秒分]?)?$"
)
_WHOLE = ("age", "satisfaction")
_MOMENTS = ("occurred_at", "next_at")


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
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(int(value)) if float(value).is_integer() else str(value)
        return value


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
        q = Q(name__in=texts)
        if numbers:
            q |= Q(pk__in=numbers)
        if phones:
            q |= Q(phone_index__in=phones)
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


def _key(target: str, customer: Customer, cleaned: Mapping[str, Any]) -> tuple[Any, ...] | None:
    if target == Target.CONTACTS:
        phone = cleaned.get("phone") or ""
        return (customer.pk, cleaned.get("name", ""), _phone_key(phone))
    occurred = cleaned.get("occurred_at")
    if occurred is None:
        return None  # "now": never the same as another row's
    return (customer.pk, cleaned.get("kind"), occurred)


def _held(target: str, keyed: list[tuple[Verdict, tuple[Any, ...]]]) -> set[tuple[Any, ...]]:
    """The keys already in the system (one query per batch)."""
    ids = {k[0] for _v, k in keyed}
    if not ids:
        return set()
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
    *, actor: User, target: str, mapping: Mapping[str, str], rows: list[tuple[int, list[Any]]]
) -> Iterator[list[Verdict]]:
    """Every row's verdict, in batches: ``customer`` the customer it belongs to, ``twin`` an
    earlier row it repeats, ``duplicate_field`` "record" when the system already holds it."""
    reader = RelatedReader(mapping)
    customers = Customers(actor, ACTIONS[target])
    validate = contact_row if target == Target.CONTACTS else followup_row
    seen: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(rows), BATCH):
        read = [(n, cells, *reader.data(cells)) for n, cells in rows[start : start + BATCH]]
        named = customers.find([c for _n, _cells, _d, c in read])
        batch: list[Verdict] = []
        keyed: list[tuple[Verdict, tuple[Any, ...]]] = []
        for number, cells, data, cell in read:
            verdict = Verdict(number, cells)
            result = validate(data)
            errors = dict(result.errors)
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
        held = _held(target, keyed)
        for verdict, key in keyed:
            if key in seen:
                verdict.twin, verdict.duplicate_field = seen[key], "record"
            elif key in held:
                verdict.duplicate_field = "record"
            seen.setdefault(key, verdict.row)
        yield batch


def duplicate_message(target: str, verdict: Verdict) -> str:
    if verdict.twin is not None:
        return _("与第 %(row)s 行重复") % {"row": verdict.twin}
    if target == Target.CONTACTS:
        return _("该客户已有同名同电话的联系人")
    return _("该客户已有同一时间、同一方式的跟进记录")


def write(actor: User, target: str, verdict: Verdict) -> int:
    """Write one valid row through the entity's service; returns the new record's id."""
    assert verdict.cleaned is not None
    assert verdict.customer is not None
    data = {k: v for k, v in verdict.cleaned.items() if v is not None and v != ""}
    with transaction.atomic():
        if target == Target.CONTACTS:
            contact = customer_services.contact_create(
                actor=actor, customer_id=verdict.customer.pk, data=data
            )
            return int(contact.pk)
        followup = activity_services.followup_record(
            actor=actor, customer_id=verdict.customer.pk, data=data
        )
        return int(followup.pk)


def undo(actor: User, target: str, customer_id: int, object_id: int) -> bool:
    """Take back one imported contact if it is as imported (version 1); False: kept."""
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
