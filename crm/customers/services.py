"""Writes to customers and contacts. Each service checks permission with ``require``, validates,
saves, keeps the search index current, re-checks that the result is still in the actor's scope,
and records one audit event, all inside one transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from crm.accounts.models import User
from crm.accounts.roles import (
    ADD_CUSTOMER,
    ASSIGN_CUSTOMER,
    CHANGE_CUSTOMER,
    DELETE_CUSTOMER,
    OWN_CUSTOMER,
    RESTORE_CUSTOMER,
    VIEW_CUSTOMER,
)
from crm.core.errors import Conflict, Duplicate, Invalid, NotFound, PermissionDenied
from crm.core.pagination import Page
from crm.core.permissions import allows, has_action, require, restrict
from crm.governance import audit
from crm.governance.models import AuditEvent

from . import hooks, lifecycle, search, sensitive
from .choices import Category, ContactRole, Gender, Kind, Source
from .models import Contact, Customer, Tag
from .selectors import (
    CustomerFilters,
    assignable_owners,
    customer_contacts,
    customer_get,
    customer_history,
    customer_list,
)
from .validators import (
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
    organization_key,
)

TEXT_FIELDS: dict[str, int] = {
    "name": 100,
    "company": 100,
    "address": 200,
    "city": 50,
    "main_business": 200,
    "needs": 5000,
    "feedback": 5000,
    "notes": 5000,
}
CHOICE_FIELDS: dict[str, Any] = {
    "kind": Kind,
    "source": Source,
    "category": Category,
}
CUSTOMER_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        *CHOICE_FIELDS,
        "phone",
        "email",
        "id_number",
        "credit_code",
        "grade",
        "expected_purchase_on",
        "deal_on",
        "deposit_amount",
        "deposit_on",
        "staff_count",
        "annual_revenue",
        "owner",
        "tags",
    }
)
SEARCHED_FIELDS = frozenset({"name", "company", "phone"})


# --- validation -------------------------------------------------------------------------------


def _clean_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(_("日期格式应为 YYYY-MM-DD")) from exc


def _refuse_nul(value: Any) -> None:
    """PostgreSQL cannot store NUL characters; refuse them for every channel (web, API, import)."""
    values = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise ValueError(_("不能包含空字符"))


def _clean_value(field: str, value: Any) -> Any:
    if value is None:
        value = None if field in {"staff_count", "annual_revenue", "owner"} else ""
    if field in TEXT_FIELDS:
        text = str(value).strip()
        if len(text) > TEXT_FIELDS[field]:
            raise ValueError(_("不能超过 %(n)d 个字") % {"n": TEXT_FIELDS[field]})
        return text
    if field in CHOICE_FIELDS:
        # only the source may be left blank; a blank kind or category is not a choice
        if (value or field in {"kind", "category"}) and value not in CHOICE_FIELDS[field].values:
            raise ValueError(_("不是有效的选项"))
        return value
    if field == "grade":
        from .choices import Grade

        if value and value not in Grade.values:
            raise ValueError(_("意向级别只能是 O、H、A、B、C"))
        return value
    if field == "phone":
        return normalize_phone(value) if str(value).strip() else ""
    if field == "id_number":
        return normalize_id_number(value) if str(value).strip() else ""
    if field == "credit_code":
        return normalize_credit_code(value) if str(value).strip() else ""
    if field == "email":
        email = str(value).strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ValueError(_("邮箱地址格式不正确")) from exc
        return email
    if field in {"expected_purchase_on", "deal_on", "deposit_on"}:
        return _clean_date(value)
    if field == "deposit_amount":
        if value in (None, ""):
            return None
        try:
            amount = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))
        except decimal.InvalidOperation as exc:
            raise ValueError(_("请输入数字")) from exc
        if amount <= 0 or amount >= 10**10:
            raise ValueError(_("定金金额应大于 0"))
        return amount
    if field == "staff_count":
        if value in (None, ""):
            return None
        number = int(value)
        if number < 0:
            raise ValueError(_("不能为负数"))
        if number > 2_147_483_647:  # the column's range on PostgreSQL: beyond it, a 500
            raise ValueError(_("数值超出范围"))
        return number
    if field == "annual_revenue":
        if value in (None, ""):
            return None
        try:
            amount = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))
        except decimal.InvalidOperation as exc:
            raise ValueError(_("请输入数字")) from exc
        if amount < 0 or amount >= 10**12:
            raise ValueError(_("金额超出范围"))
        return amount
    if field == "tags":
        names = [str(t).strip() for t in (value or []) if str(t).strip()]
        if any(len(n) > 30 for n in names):
            raise ValueError(_("标签不能超过 30 个字"))
        return sorted(set(names))
    return value


def clean_customer_data(
    data: Mapping[str, Any], *, current: Customer | None = None
) -> dict[str, Any]:
    """Normalise and validate ``data``; raise ``Invalid`` with one Chinese message per field.

    With ``current`` the data is a partial update and rules that span fields see the result.
    """
    unknown = set(data) - CUSTOMER_FIELDS
    errors: dict[str, str] = {f: _("未知字段") for f in sorted(unknown)}
    cleaned: dict[str, Any] = {}
    for field in CUSTOMER_FIELDS & set(data):
        try:
            _refuse_nul(data[field])
            cleaned[field] = _clean_value(field, data[field])
        except (ValueError, TypeError) as exc:
            errors[field] = str(exc) if str(exc) else _("值无效")

    def final(field: str, default: Any = "") -> Any:
        if field in cleaned:
            return cleaned[field]
        if current is not None:
            return getattr(current, field)
        return default

    # Rules spanning fields are checked too when other fields are wrong, so that the user sees
    # every problem at once; a rule is skipped only when one of its own fields is invalid.
    if "name" not in errors and not final("name"):
        errors["name"] = _("请填写客户名称")
    organisation = final("kind", Kind.PERSON) == Kind.ORGANIZATION
    if not {"kind", "id_number"} & set(errors) and organisation and final("id_number"):
        errors["id_number"] = _("单位客户不填身份证号码")
    if not {"category", "grade"} & set(errors):
        category, grade = final("category", Category.POTENTIAL), final("grade")
        if category == Category.INTENTION and not grade:
            errors["grade"] = _("意向客户必须选择意向级别（O/H/A/B/C）")
        if category != Category.INTENTION and grade:
            errors["grade"] = _("只有意向客户才有意向级别")
        if current is None:  # later changes of category go through a transition
            errors.update(lifecycle.entry_errors(category=category, grade=grade, values=final))
    if errors:
        raise Invalid(fields=errors)
    return cleaned


# --- duplicates -----------------------------------------------------------------------------


_DUPLICATE_LABELS = {  # translated when the message is made
    "phone": gettext_lazy("电话"),
    "id_number": gettext_lazy("身份证号码"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "name": pgettext_lazy("organisation", "单位名称"),
}


def _duplicate_of(
    values: Mapping[str, str], kind: str, exclude: int | None
) -> tuple[str, Customer] | None:
    checks: list[tuple[str, Q]] = []
    if values.get("phone"):
        checks.append(("phone", sensitive.phone_lookup(values["phone"])))
    if values.get("id_number"):
        checks.append(("id_number", sensitive.id_number_lookup(values["id_number"])))
    if values.get("credit_code"):
        checks.append(("credit_code", Q(credit_code=values["credit_code"]) & ~Q(credit_code="")))
    if kind == Kind.ORGANIZATION and values.get("name"):
        checks.append(
            ("name", Q(kind=Kind.ORGANIZATION, name_key=organization_key(values["name"])))
        )
    alive = Customer.objects.filter(deleted_at__isnull=True).select_related("owner")
    if exclude is not None:
        alive = alive.exclude(pk=exclude)
    for field, q in checks:
        match = alive.filter(q).first()
        if match is not None:
            return field, match
    return None


def check_duplicates(
    *, actor: User, values: Mapping[str, str], kind: str, exclude: int | None = None
) -> None:
    """Refuse a duplicate, naming the existing record and its owner (查重).

    Outside the actor's scope only the owner's name is told, not the record's number.
    """
    found = _duplicate_of(values, kind, exclude)
    if found is None:
        return
    field, match = found
    owner_name = match.owner.display_name if match.owner else pgettext("in a sentence", "公海")
    visible = allows(actor, VIEW_CUSTOMER, match)
    label = _DUPLICATE_LABELS[field]
    if visible:
        message = _("%(label)s与已有客户 %(number)s（%(name)s，负责人：%(owner)s）重复") % {
            "label": label,
            "number": match.number,
            "name": match.name,
            "owner": owner_name,
        }
    else:
        message = _("%(label)s与负责人 %(owner)s 名下的已有客户重复") % {
            "label": label,
            "owner": owner_name,
        }
    raise Duplicate(
        message,
        fields={field: message},
        extra={"existing": {"number": match.number if visible else None, "owner_name": owner_name}},
    )


# --- helpers --------------------------------------------------------------------------------


def _resolve_owner(actor: User, owner_id: Any) -> User:
    """The owner ``actor`` gives a customer: by default the actor (if their role may own
    customers), else one of the users the actor may assign customers to."""
    if owner_id in (None, ""):
        if has_action(actor, OWN_CUSTOMER):
            return actor
        raise Invalid(fields={"owner": _("请选择负责人")})
    owner = assignable_owners(actor=actor).filter(pk=owner_id).first()
    if owner is None:
        raise Invalid(fields={"owner": _("不能把客户分配给该用户")})
    return owner


def _apply(customer: Customer, cleaned: Mapping[str, Any]) -> None:
    for field, value in cleaned.items():
        if field in {"tags", "owner"}:
            continue
        if field == "phone":
            sensitive.write_phone(customer, value)
        elif field == "id_number":
            sensitive.write_id_number(customer, value)
        else:
            setattr(customer, field, value)
    customer.name_key = organization_key(customer.name)


def _set_tags(customer: Customer, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name] = Tag.objects.create(name=name)
    customer.tags.set([existing[n] for n in names])


def _reindex(customer: Customer) -> None:
    phones = [customer.phone, *(c.phone for c in customer.contacts.all())]
    search.write([(customer.pk, customer.name, customer.company, [p for p in phones if p])])


def _duplicate_values(customer: Customer) -> dict[str, str]:
    return {
        "phone": customer.phone,
        "id_number": customer.id_number,
        "credit_code": customer.credit_code,
        "name": customer.name,
    }


def _save_guarded(actor: User, customer: Customer, **kwargs: Any) -> None:
    """Save, turning a unique-index race into the same duplicate error as the pre-check."""
    try:
        with transaction.atomic():
            customer.save(**kwargs)
    except IntegrityError:
        check_duplicates(
            actor=actor,
            values=_duplicate_values(customer),
            kind=customer.kind,
            exclude=customer.pk,
        )
        raise


def _locked(actor: User, customer_id: int, action: str) -> Customer:
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, action)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        require(actor, action)  # 403 when the action itself is missing
        raise NotFound()
    return customer


# --- services -------------------------------------------------------------------------------


def _refuse_lifecycle_edits(customer: Customer, cleaned: Mapping[str, Any]) -> None:
    """Category, grade and deal date change only through a transition (with its reason)."""
    errors = {
        field: _("客户类别、意向级别和成交日期请通过“变更状态”办理")
        for field in ("category", "grade", "deal_on")
        if field in cleaned and cleaned[field] != getattr(customer, field)
    }
    if customer.grade != "O":
        errors.update(
            {
                field: _("定金请在定为 O 级时通过“变更状态”填写")
                for field in ("deposit_amount", "deposit_on")
                if field in cleaned and cleaned[field] != getattr(customer, field)
            }
        )
    if errors:
        raise Invalid(fields=errors)


@transaction.atomic
def customer_create(*, actor: User, data: Mapping[str, Any]) -> Customer:
    """Enter a customer. One entered straight into a category obeys that category's rules
    (crm.customers.lifecycle): an intention customer has a grade (and grade O its deposit), a
    retained one its deal date (its callbacks are scheduled), a defeated one its defeat
    analysis (``data["defeat"]``); the entry is a lifecycle event the reports count."""
    require(actor, ADD_CUSTOMER)
    data = dict(data)
    defeat = data.pop("defeat", None)
    cleaned = clean_customer_data(data)
    defeat_data = lifecycle.entry_defeat(category=cleaned.get("category", ""), defeat=defeat)
    owner = _resolve_owner(actor, cleaned.get("owner"))
    customer = Customer(owner=owner, department_id=owner.department_id, created_by=actor)
    _apply(customer, cleaned)
    if customer.category == Category.INTENTION:
        customer.graded_at = timezone.now()
    customer.next_due_on = lifecycle.compute_due(customer)
    check_duplicates(actor=actor, values=_duplicate_values(customer), kind=customer.kind)
    _save_guarded(actor, customer)
    customer.number = f"KH{customer.pk:06d}"
    customer.save(update_fields=["number"])
    if cleaned.get("tags"):
        _set_tags(customer, cleaned["tags"])
    if not (allows(actor, VIEW_CUSTOMER, customer) or allows(actor, ASSIGN_CUSTOMER, customer)):
        raise PermissionDenied(_("保存后该客户将不在您的权限范围内，操作未执行"))
    _reindex(customer)
    audit.record(actor=actor, verb="customer.created", obj=customer, after=customer.snapshot())
    lifecycle.record_entry(actor=actor, customer=customer, defeat=defeat_data)
    return customer


@transaction.atomic
def customer_update(
    *, actor: User, customer_id: int, version: int, data: Mapping[str, Any]
) -> Customer:
    """Apply a partial update made from ``version``; a stale version is a conflict (409)."""
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    if customer.version != version:
        raise Conflict(extra={"current_version": customer.version})
    before = customer.snapshot()
    cleaned = clean_customer_data(data, current=customer)
    _refuse_lifecycle_edits(customer, cleaned)
    former = customer.owner
    if "owner" in cleaned and cleaned["owner"] not in (None, "", customer.owner_id):
        if not allows(actor, ASSIGN_CUSTOMER, customer):
            raise PermissionDenied(_("您不能转移该客户"))
        owner = _resolve_owner(actor, cleaned["owner"])
        customer.owner, customer.department_id = owner, owner.department_id
    _apply(customer, cleaned)
    check_duplicates(
        actor=actor, values=_duplicate_values(customer), kind=customer.kind, exclude=customer.pk
    )
    if "tags" in cleaned:
        _set_tags(customer, cleaned["tags"])
    after = customer.snapshot()
    if after == before:
        return customer
    customer.version += 1
    _save_guarded(actor, customer)
    if not (allows(actor, CHANGE_CUSTOMER, customer) or allows(actor, ASSIGN_CUSTOMER, customer)):
        raise PermissionDenied(_("保存后该客户将不在您的权限范围内，操作未执行"))
    if customer.owner_id != getattr(former, "pk", None):
        hooks.owner_changed(customer=customer, former=former, actor=actor)
    if SEARCHED_FIELDS & set(cleaned) or "kind" in cleaned:
        _reindex(customer)
    audit.record(actor=actor, verb="customer.updated", obj=customer, before=before, after=after)
    return customer


@transaction.atomic
def customer_delete(*, actor: User, customer_id: int, version: int | None = None) -> Customer:
    """Move a customer to the recycle bin (soft delete)."""
    customer = _locked(actor, customer_id, DELETE_CUSTOMER)
    if version is not None and customer.version != version:
        raise Conflict(extra={"current_version": customer.version})
    before = customer.snapshot()
    customer.deleted_at = timezone.now()
    customer.deleted_by = actor
    customer.version += 1
    customer.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
    search.remove([customer.pk])
    audit.record(
        actor=actor, verb="customer.deleted", obj=customer, before=before, after=customer.snapshot()
    )
    return customer


@transaction.atomic
def customer_restore(*, actor: User, customer_id: int) -> Customer:
    """Bring a customer back from the recycle bin (data administrator)."""
    require(actor, RESTORE_CUSTOMER)
    qs = restrict(Customer.objects.filter(deleted_at__isnull=False), actor, RESTORE_CUSTOMER)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    check_duplicates(
        actor=actor, values=_duplicate_values(customer), kind=customer.kind, exclude=customer.pk
    )
    before = customer.snapshot()
    customer.deleted_at = None
    customer.deleted_by = None
    customer.version += 1
    _save_guarded(
        actor, customer, update_fields=["deleted_at", "deleted_by", "version", "updated_at"]
    )
    _reindex(customer)
    audit.record(
        actor=actor,
        verb="customer.restored",
        obj=customer,
        before=before,
        after=customer.snapshot(),
    )
    return customer


@transaction.atomic
def customer_open(*, actor: User, customer_id: int) -> Customer:
    """Open a customer's record, registering the view (查阅登记)."""
    customer = customer_get(actor=actor, customer_id=customer_id)
    audit.record(actor=actor, verb="customer.viewed", obj=customer)
    return customer


# --- registered reads (查阅登记) ---------------------------------------------------------------
# Reads that return personal data record one audit row each (one INSERT, no transaction of
# their own): a record's part names the customer; a list or search carries its filter and the
# number of rows it returned, never one row per customer.


def redact_query(text: str) -> str:
    """A search text for the log: with five digits or more (a phone or ID number, whole or in
    part) only the first three digits stay, so that the log does not hold in plain text what
    the records keep encrypted."""
    if sum(c.isdigit() for c in text) < 5:
        return text
    seen = 0
    out = []
    for char in text:
        if char.isdigit():
            seen += 1
            char = char if seen <= 3 else "*"
        out.append(char)
    return "".join(out)


def _filter_details(filters: CustomerFilters, cursor: str | None) -> dict[str, Any]:
    raw = {
        "q": redact_query(filters.q.strip()),
        "category": filters.category,
        "grade": filters.grade,
        "owner": filters.owner,
        "tag": filters.tag,
        "deleted": filters.deleted,
        "next_page": bool(cursor),
    }
    return {k: v for k, v in raw.items() if v not in ("", None, False)}


def customer_browse(
    *, actor: User, filters: CustomerFilters, cursor: str | None = None, limit: int | None = None
) -> Page[Customer]:
    """A page of the customer list, a search or the recycle bin, registered as one read."""
    page = customer_list(actor=actor, filters=filters, cursor=cursor, limit=limit)
    audit.record(
        actor=actor,
        verb="customer.listed",
        object_type=Customer._meta.label_lower,
        details={"filter": _filter_details(filters, cursor), "count": len(page.items)},
    )
    return page


def customer_history_open(*, actor: User, customer_id: int, limit: int) -> list[AuditEvent]:
    """A customer's operation log, newest first (the read itself is logged after it)."""
    customer = customer_get(actor=actor, customer_id=customer_id)
    events = list(customer_history(customer=customer)[:limit])
    audit.record(
        actor=actor,
        verb="customer.history_viewed",
        obj=customer,
        details={"count": len(events)},
    )
    return events


def customer_contacts_open(*, actor: User, customer_id: int) -> list[Contact]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    contacts = list(customer_contacts(customer=customer))
    audit.record(
        actor=actor,
        verb="customer.contacts_viewed",
        obj=customer,
        details={"count": len(contacts)},
    )
    return contacts


# --- contacts -------------------------------------------------------------------------------

CONTACT_TEXT: dict[str, int] = {"name": 50, "title": 50, "hobbies": 200, "notes": 2000}
CONTACT_FIELDS = frozenset({*CONTACT_TEXT, "role", "phone", "age", "gender"})


def clean_contact_data(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {f: _("未知字段") for f in sorted(set(data) - CONTACT_FIELDS)}
    cleaned: dict[str, Any] = {}
    for field in CONTACT_FIELDS & set(data):
        value = data[field]
        try:
            _refuse_nul(value)
            if field in CONTACT_TEXT:
                text = str(value or "").strip()
                if len(text) > CONTACT_TEXT[field]:
                    raise ValueError(_("不能超过 %(n)d 个字") % {"n": CONTACT_TEXT[field]})
                cleaned[field] = text
            elif field == "role":
                if value not in ContactRole.values:
                    raise ValueError(_("不是有效的选项"))
                cleaned[field] = value
            elif field == "gender":
                if value and value not in Gender.values:
                    raise ValueError(_("不是有效的选项"))
                cleaned[field] = value or ""
            elif field == "phone":
                cleaned[field] = normalize_phone(value) if str(value or "").strip() else ""
            elif field == "age":
                age = None if value in (None, "") else int(value)
                if age is not None and not 0 < age < 130:
                    raise ValueError(_("年龄应在 1 到 129 之间"))
                cleaned[field] = age
        except (ValueError, TypeError) as exc:
            errors[field] = str(exc) or _("值无效")
    if "name" in data and not str(data["name"] or "").strip():
        errors["name"] = _("请填写联系人姓名")
    if errors:
        raise Invalid(fields=errors)
    return cleaned


def _contact_snapshot(contact: Contact) -> dict[str, Any]:
    return {f"contact.{k}": v for k, v in contact.snapshot().items() if k not in {"id", "customer"}}


@transaction.atomic
def contact_create(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> Contact:
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    cleaned = clean_contact_data(data)
    if not cleaned.get("name"):
        raise Invalid(fields={"name": _("请填写联系人姓名")})
    contact = Contact(customer=customer)
    for field, value in cleaned.items():
        if field == "phone":
            sensitive.write_phone(contact, value)
        else:
            setattr(contact, field, value)
    contact.save()
    _reindex(customer)
    audit.record(
        actor=actor,
        verb="customer.contact_added",
        obj=customer,
        after=_contact_snapshot(contact),
        reason=contact.name,
    )
    return contact


@transaction.atomic
def contact_update(
    *, actor: User, customer_id: int, contact_id: int, data: Mapping[str, Any]
) -> Contact:
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    cleaned = clean_contact_data(data)
    before = _contact_snapshot(contact)
    for field, value in cleaned.items():
        if field == "phone":
            sensitive.write_phone(contact, value)
        else:
            setattr(contact, field, value)
    contact.save()
    _reindex(customer)
    audit.record(
        actor=actor,
        verb="customer.contact_changed",
        obj=customer,
        before=before,
        after=_contact_snapshot(contact),
        reason=contact.name,
    )
    return contact


@transaction.atomic
def contact_delete(*, actor: User, customer_id: int, contact_id: int) -> None:
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    before = _contact_snapshot(contact)
    contact.delete()
    _reindex(customer)
    audit.record(
        actor=actor,
        verb="customer.contact_removed",
        obj=customer,
        before=before,
        reason=contact.name,
    )
