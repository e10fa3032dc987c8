"""One import's rows judged before anything is written: each row mapped to customer fields,
validated through the customer's declared input (``crm.customers.inputs.customer_row``: the
same declaration, normalisation and category-entry rules as a single create), its owner found,
and its duplicates looked for, in the file and among the live customers (through the blind
indexes of ``crm.customers.sensitive``, as ``services.check_duplicates`` does). The dry run
counts the verdicts; the run writes them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.models import User
from crm.accounts.roles import OWN_CUSTOMER
from crm.core.permissions import has_action
from crm.core.validators import organization_key
from crm.customers import crypto, sensitive
from crm.customers.choices import Category, Grade, Kind
from crm.customers.inputs import customer_row
from crm.customers.models import Customer, Source
from crm.customers.selectors import assignable_owners

from .fields import OWNER, TAGS, columns
from .models import Target

BATCH = 1000
FIRST_ERRORS = 50
_DATE = re.compile(r"^(\d{4})[./年-](\d{1,2})[./月-](\d{1,2})日?$")
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")
_DUPLICATE_LABELS = {  # translated when the message is made
    "phone": gettext_noop("电话"),
    "id_number": gettext_noop("身份证号码"),
    "credit_code": gettext_noop("统一社会信用代码"),
    "name": gettext_noop("单位名称"),
}


@dataclass
class Verdict:
    """What one row would become: ``cleaned`` fields (None: refused, ``errors`` by field), its
    owner, and the duplicate it is of (``existing``: a live customer; ``twin``: an earlier row
    of the same file) through which field."""

    row: int
    values: list[Any]
    cleaned: dict[str, Any] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    owner: User | None = None
    existing: Customer | None = None
    twin: int | None = None
    duplicate_field: str = ""
    customer: Customer | None = None  # a contact's or follow-up's row: the customer it names
    lead: int | None = None  # a purchase row: the earlier row of the same shop order it joins

    @property
    def valid(self) -> bool:
        return self.cleaned is not None

    def duplicate_message(self) -> str:
        label = _(_DUPLICATE_LABELS.get(self.duplicate_field, self.duplicate_field))
        if self.twin is not None:
            return _("%(label)s与第 %(row)s 行重复") % {"label": label, "row": self.twin}
        if self.existing is not None:
            return _("%(label)s与已有客户 %(number)s（%(name)s）重复") % {
                "label": label,
                "number": self.existing.number,
                "name": self.existing.name,
            }
        return ""


def _choices(choices: Any, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    table = {str(v).lower(): str(v) for v in choices.values}
    for value, label in choices.choices:
        text = str(label)
        table[text.lower()] = value
        table[text.split("（")[0].lower()] = value
        if text.endswith("客户"):
            table[text.removesuffix("客户")] = value
    for key, value in (extra or {}).items():
        table[key] = value
    return table


class Reader:
    """Turns a row's cells into the input's values: a choice by its value or its Chinese label
    (意向客户, H级), a source by its code or name, tags split on commas, dates as typed in China
    (2024/3/5, 2024年3月5日), whole numbers read as text from a CSV."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = {int(i): f for i, f in mapping.items()}
        self.kinds = _choices(Kind, {"企业": Kind.ORGANIZATION, "公司": Kind.ORGANIZATION})
        self.categories = _choices(Category)
        self.grades = _choices(Grade, {f"{g}级": g for g in Grade.values})
        self.grades.update({f"{g.lower()}级": g for g in Grade.values})
        self.sources = {s.name: s.code for s in Source.objects.all()}
        self.sources.update({s: s for s in self.sources.values()})

    def data(self, cells: list[Any]) -> tuple[dict[str, Any], Any]:
        data: dict[str, Any] = {}
        owner: Any = None
        for index, name in self.mapping.items():
            value = cells[index] if index < len(cells) else None
            if value is None:
                continue
            if name == OWNER:
                owner = value
                continue
            data[name] = self.value(name, value)
        return data, owner

    def value(self, name: str, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if name in ("kind", "category", "grade") and isinstance(value, str):
            table = {"kind": self.kinds, "category": self.categories, "grade": self.grades}[name]
            text = value.strip()
            return table.get(text.lower(), table.get(text, text))
        if name == "source" and isinstance(value, str):
            return self.sources.get(value.strip(), value.strip())
        if name == TAGS:
            return [t for t in _TAG_SPLIT.split(str(value)) if t]
        if name in ("expected_purchase_on", "deal_on", "deposit_on"):
            if isinstance(value, dt.datetime):
                return value.date()
            match = _DATE.match(str(value).strip()) if isinstance(value, str) else None
            if match:
                y, m, d = (int(g) for g in match.groups())
                return f"{y:04d}-{m:02d}-{d:02d}"
        if name == "staff_count" and isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return value


class Owners:
    """The owner named in a row (负责人: a username or a name), among the users the importer
    may assign customers to; blank: the importer (when their role may own customers)."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.by_username: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = {}
        for user in assignable_owners(actor=actor):
            self.by_username[user.username.lower()] = user
            for name in {user.display_name, getattr(user, "full_name", "")}:
                if name:
                    self.by_name.setdefault(name, []).append(user)
        self.may_own = has_action(actor, OWN_CUSTOMER)

    def find(self, value: Any) -> tuple[User | None, str]:
        text = "" if value is None else str(value).strip()
        if not text:
            if self.may_own:
                return self.actor, ""
            return None, _("请填写负责人")
        user = self.by_username.get(text.lower())
        if user is not None:
            return user, ""
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            return None, _("有多位同名用户“%(name)s”，请填写用户名") % {"name": text}
        return None, _("负责人“%(name)s”不存在，或不能把客户分配给该用户") % {"name": text}


def _keys(cleaned: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The duplicate keys of a row: (field, key) as the unique constraints compare them."""
    keys = []
    if cleaned.get("phone"):
        keys.append(("phone", crypto.blind_index(cleaned["phone"], sensitive.PHONE)))
    if cleaned.get("id_number"):
        keys.append(("id_number", crypto.blind_index(cleaned["id_number"], sensitive.ID_NUMBER)))
    if cleaned.get("credit_code"):
        keys.append(("credit_code", cleaned["credit_code"]))
    if cleaned.get("kind") == Kind.ORGANIZATION and cleaned.get("name"):
        keys.append(("name", organization_key(cleaned["name"])))
    return keys


_COLUMNS = {"phone": "phone_index", "id_number": "id_number_index", "credit_code": "credit_code"}


def _existing(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Customer]:
    """The live customers holding any of ``keys`` (one query per batch). Each branch states
    its unique index's own condition (live, not blank): SQLite uses a partial index only for
    a WHERE that implies it, and without it scanned every customer once per batch (86 s of
    dry run for 100,000 rows against 1,000,000 customers)."""
    if not keys:
        return {}
    q = Q(pk__in=[])
    for name, column in _COLUMNS.items():
        values = [k for f, k in keys if f == name]
        if values:
            q |= Q(deleted_at__isnull=True, **{f"{column}__in": values}) & ~Q(**{column: ""})
    names = [k for f, k in keys if f == "name"]
    if names:
        q |= Q(deleted_at__isnull=True, kind=Kind.ORGANIZATION, name_key__in=names)
    found: dict[tuple[str, str], Customer] = {}
    alive = Customer.objects.filter(q)
    for c in alive.only(
        "pk",
        "number",
        "name",
        "phone_index",
        "id_number_index",
        "credit_code",
        "name_key",
        "kind",
        "version",
        "owner_id",
    ):
        for name, column in _COLUMNS.items():
            value = getattr(c, column)
            if value:
                found[(name, value)] = c
        if c.kind == Kind.ORGANIZATION:
            found[("name", c.name_key)] = c
    return found


def batches(rows: Iterable[tuple[int, list[Any]]]) -> Iterator[list[tuple[int, list[Any]]]]:
    """``rows`` in lists of ``BATCH``, read as they come."""
    source = iter(rows)
    while batch := list(itertools.islice(source, BATCH)):
        yield batch


class Seen:
    """The duplicate keys of the file's rows so far → the first row holding each.

    A million rows' keys in a dict of ints would take about 100 MB; here each key is its 64-bit
    hash in an open-addressing table of two typed arrays (12 bytes a slot, at most half full:
    about 25 MB for a million keys). Two different keys sharing a 64-bit hash, about one chance
    in 10^7 for a million rows, would report a duplicate that is not."""

    def __init__(self) -> None:
        self.keys = array("Q", bytes(8 * 1024))
        self.rows = array("I", bytes(4 * 1024))
        self.mask = 1023
        self.count = 0

    @staticmethod
    def _hash(key: Any) -> int:
        return (hash(key) & 0xFFFFFFFFFFFFFFFF) or 1  # 0 marks an empty slot

    def _slot(self, h: int) -> int:
        keys, mask = self.keys, self.mask
        i = h & mask
        while keys[i] and keys[i] != h:
            i = (i + 1) & mask
        return i

    def get(self, key: Any) -> int | None:
        h = self._hash(key)
        i = self._slot(h)
        return self.rows[i] if self.keys[i] == h else None

    def add(self, key: Any, row: int) -> None:
        h = self._hash(key)
        i = self._slot(h)
        if self.keys[i] == h:
            return  # the first row holding it stays
        self.keys[i], self.rows[i] = h, row
        self.count += 1
        if self.count * 2 > self.mask:
            self._grow()

    def _grow(self) -> None:
        keys, rows = self.keys, self.rows
        size = (self.mask + 1) * 2
        self.keys = array("Q", bytes(8 * size))
        self.rows = array("I", bytes(4 * size))
        self.mask = size - 1
        for h, row in zip(keys, rows, strict=True):
            if h:
                i = self._slot(h)
                self.keys[i], self.rows[i] = h, row


def judge(
    *, actor: User, mapping: Mapping[str, str], rows: Iterable[tuple[int, list[Any]]]
) -> Iterator[list[Verdict]]:
    """Every row's verdict, in batches of ``BATCH`` (the duplicate lookups are per batch)."""
    reader = Reader(mapping)
    owners = Owners(actor)
    seen = Seen()
    owner_mapped = OWNER in mapping.values()
    for chunk in batches(rows):
        batch: list[Verdict] = []
        for number, cells in chunk:
            verdict = Verdict(number, cells)
            data, owner_cell = reader.data(cells)
            result = customer_row(data)
            errors = dict(result.errors)
            if result.cleaned and result.cleaned.get("category") == Category.DEFEATED:
                errors["category"] = _("战败客户须填写战败分析，请逐个录入")
            owner, owner_error = owners.find(owner_cell if owner_mapped else None)
            if owner_error:
                errors[OWNER] = owner_error
            if errors:
                verdict.errors = errors
            else:
                verdict.cleaned = result.cleaned
                verdict.owner = owner
            batch.append(verdict)
        keyed = [(v, _keys(v.cleaned)) for v in batch if v.cleaned is not None]
        found = _existing([k for _v, keys in keyed for k in keys])
        for verdict, keys in keyed:
            for key in keys:
                twin = seen.get(key)
                if twin is not None:
                    verdict.twin, verdict.duplicate_field = twin, key[0]
                    break
                if key in found:
                    verdict.existing, verdict.duplicate_field = found[key], key[0]
                    break
            for key in keys:
                seen.add(key, verdict.row)
        yield batch


def column_titles(
    headers: list[str], mapping: Mapping[str, str], target: str = Target.CUSTOMERS
) -> dict[str, str]:
    """Field → the column's title in the file (else the template's)."""
    titles = {c.field: c.title for c in columns(target)}
    for index, name in mapping.items():
        i = int(index)
        if i < len(headers) and headers[i]:
            titles[name] = headers[i]
    return titles


def dry_run(
    *,
    verdicts: Iterable[list[Verdict]],
    titles: Mapping[str, str],
    total: int = 0,
    missing: str = "",
) -> dict[str, Any]:
    """The counts of a run that has not happened: rows, valid, invalid, duplicates of what the
    system holds, duplicates within the file, and the first errors (row, column, message).
    ``missing``: a required column left unmapped (every row, ``total``, is then invalid)."""
    summary: dict[str, Any] = {
        "rows": total,
        "valid": 0,
        "invalid": 0,
        "duplicates_existing": 0,
        "duplicates_in_file": 0,
        "errors": [],
    }
    if missing:
        summary["invalid"] = total
        summary["errors"] = [{"row": 0, "column": "", "message": missing}]
        return summary
    for batch in verdicts:
        summary["rows"] += len(batch)
        for v in batch:
            if not v.valid:
                summary["invalid"] += 1
                for name, message in v.errors.items():
                    if len(summary["errors"]) < FIRST_ERRORS:
                        column = titles.get(name.split(".")[0], name)
                        summary["errors"].append(
                            {"row": v.row, "column": column, "message": message}
                        )
                continue
            summary["valid"] += 1
            if v.twin is not None:
                summary["duplicates_in_file"] += 1
            elif v.existing is not None or v.duplicate_field == "record":
                summary["duplicates_existing"] += 1
    return summary
