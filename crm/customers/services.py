"""Writes to customers and contacts. Each service checks permission with ``require``, validates,
saves, keeps the search index current, re-checks that the result is still in the actor's scope,
and records one audit event, all inside one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext, pgettext_lazy

from crm.accounts.models import User
from crm.accounts.roles import (
    ADD_CUSTOMER,
    APPROVE_CHANGE,
    ASSIGN_CUSTOMER,
    CHANGE_CUSTOMER,
    DELETE_CUSTOMER,
    OWN_CUSTOMER,
    RESTORE_CUSTOMER,
    VIEW_CUSTOMER,
)
from crm.core.errors import (
    Conflict,
    DomainError,
    Duplicate,
    Invalid,
    NotFound,
    PermissionDenied,
    StateConflict,
)
from crm.core.inputs import validate
from crm.core.pagination import Page
from crm.core.permissions import Scope, allows, has_action, require, restrict, scope_of
from crm.core.validators import organization_key
from crm.governance import approvals, audit
from crm.governance.models import ApprovalRequest, AuditEvent

from . import hooks, lifecycle, search, sensitive
from .choices import Category, Kind
from .inputs import ContactChange, ContactInput, CustomerChange, CustomerInput, customer_rules
from .models import Contact, Customer, Tag
from .selectors import (
    CustomerFilters,
    assignable_owners,
    customer_contacts,
    customer_get,
    customer_history,
    customer_list,
)
from .sources import source_error

SEARCHED_FIELDS = frozenset({"name", "company", "phone"})
_RULE_FIELDS = (
    "kind",
    "id_number",
    "category",
    "grade",
    "deal_on",
    "deposit_amount",
    "deposit_on",
)
_NEW: dict[str, Any] = {
    "kind": Kind.PERSON,
    "category": Category.POTENTIAL,
    "grade": "",
    "deal_on": None,
    "deposit_amount": None,
    "deposit_on": None,
}
_THROUGH_A_TRANSITION = gettext_noop("客户类别、意向级别和成交日期请通过“变更状态”办理")


# --- validation -------------------------------------------------------------------------------


def clean_customer_data(
    data: Mapping[str, Any], *, current: Customer | None = None
) -> dict[str, Any]:
    """Normalise and validate ``data`` through the declared input (``crm.customers.inputs``);
    raise ``Invalid`` with one message per field, every problem at once.

    A new customer obeys the rules of the category it enters (``lifecycle.entry_errors``). With
    ``current`` the data is a partial update: the rules spanning fields see the values the
    customer will have; category, grade and deal date change only through a transition, the
    deposit only with grade O; a breach that only the stored values make is a
    ``StateConflict`` (409).
    """
    model = CustomerInput if current is None else CustomerChange
    try:
        cleaned, errors = validate(model, data), {}
    except Invalid as exc:
        cleaned, errors = {k: v for k, v in data.items() if k not in exc.fields}, dict(exc.fields)
    if "source" in cleaned and "source" not in errors:  # one switched off: only kept, not given
        switched_off = source_error(cleaned["source"], current=current.source if current else "")
        if switched_off:
            errors["source"] = switched_off
    if current is None:
        final = {**_NEW, **{k: cleaned[k] for k in _RULE_FIELDS if k in cleaned}}
    else:
        final = {k: cleaned[k] if k in cleaned else getattr(current, k) for k in _RULE_FIELDS}
    rules = customer_rules(final)
    if current is None:
        rules.update(
            lifecycle.entry_errors(
                category=final["category"],
                grade=final["grade"],
                values=lambda field, default=None: final.get(field, default),
            )
        )
    else:
        rules.update(
            _lifecycle_edits(current, {k: v for k, v in cleaned.items() if k not in errors})
        )
    rules = {k: v for k, v in rules.items() if k not in errors}
    if errors:
        raise Invalid(fields={**errors, **rules})
    if rules:
        raise (Invalid if current is None else StateConflict)(fields=rules)
    return cleaned


def _lifecycle_edits(customer: Customer, cleaned: Mapping[str, Any]) -> dict[str, str]:
    """Category, grade and deal date change only through a transition (with its reason); the
    deposit is registered with grade O."""
    changed = {f for f, v in cleaned.items() if f in _RULE_FIELDS and v != getattr(customer, f)}
    errors = {f: _(_THROUGH_A_TRANSITION) for f in ("category", "grade", "deal_on") if f in changed}
    if customer.grade != "O":
        errors.update(
            (f, _("定金请在定为 O 级时通过“变更状态”填写"))
            for f in ("deposit_amount", "deposit_on")
            if f in changed
        )
    return errors


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
        elif field == "bank_account":
            sensitive.write_bank_account(customer, value)
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
    phones = [p for p in (customer.phone, *(c.phone for c in customer.contacts.all())) if p]
    search.write(
        [
            (
                customer.pk,
                customer.name,
                customer.company,
                phones,
                customer.owner_id,
                customer.department_id,
            )
        ]
    )


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
    *, actor: User, customer_id: int, version: int, data: Mapping[str, Any], reason: str = ""
) -> Customer:
    """Apply a partial update made from ``version``; a stale version is a conflict (409).
    Master data changed by someone without the direct-edit right becomes a change request
    (``customer_edit``); the customer is returned as it is after the direct part."""
    return customer_edit(
        actor=actor, customer_id=customer_id, version=version, data=data, reason=reason
    )[0]


@transaction.atomic
def customer_edit(
    *, actor: User, customer_id: int, version: int, data: Mapping[str, Any], reason: str = ""
) -> tuple[Customer, ApprovalRequest | None]:
    """Apply a partial update made from ``version``; a stale version is a conflict (409).

    客户数据登记入系统后不允许随意变更修改: changes to master data (``master_fields()``) by
    someone without the direct-edit right (``direct_master_edit``) are not applied; they become
    one change request (客户数据变更申请, with ``reason``, required) for the data-management
    department, filed after the other fields of the same save are applied (those are everyday
    work: notes, needs, address). Returns the customer and the request (None when everything
    was applied). A field with a pending request cannot be requested again until it is decided.
    """
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    if customer.version != version:
        raise Conflict(extra={"current_version": customer.version})
    cleaned = clean_customer_data(data, current=customer)
    if "owner" in cleaned and _differs(customer, "owner", cleaned["owner"]):
        if not allows(actor, ASSIGN_CUSTOMER, customer):
            raise PermissionDenied(_("您不能转移该客户"))
        _resolve_owner(actor, cleaned["owner"])  # one the actor may hand customers to
    requested = {
        f: cleaned[f]
        for f in master_fields()
        if f in cleaned
        and _differs(customer, f, cleaned[f])
        and not direct_master_edit(actor, customer, f)
    }
    if requested:
        _check_change_request(actor, customer, requested, reason)
    direct = {k: v for k, v in cleaned.items() if k not in requested}
    owner = None
    if "owner" in direct and _differs(customer, "owner", direct["owner"]):
        owner = _resolve_owner(actor, direct["owner"])
    before = {f: _plain(getattr(customer, "owner_id" if f == "owner" else f)) for f in requested}
    _write(actor, customer, direct, owner=owner)
    if not requested:
        return customer, None
    return customer, _request_change(actor, customer, requested, before, reason)


def _write(
    actor: User,
    customer: Customer,
    cleaned: Mapping[str, Any],
    *,
    owner: User | None = None,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """Apply ``cleaned`` (and the new ``owner``) to the locked ``customer``: duplicates checked,
    version bumped, search index and history kept; nothing happens when nothing changes."""
    before = customer.snapshot()
    former = customer.owner
    if owner is not None:
        customer.owner, customer.department_id = owner, owner.department_id
    _apply(customer, cleaned)
    check_duplicates(
        actor=actor, values=_duplicate_values(customer), kind=customer.kind, exclude=customer.pk
    )
    if "tags" in cleaned:
        _set_tags(customer, cleaned["tags"])
    after = customer.snapshot()
    if after == before:
        return
    customer.version += 1
    _save_guarded(actor, customer)
    if not (allows(actor, CHANGE_CUSTOMER, customer) or allows(actor, ASSIGN_CUSTOMER, customer)):
        raise PermissionDenied(_("保存后该客户将不在您的权限范围内，操作未执行"))
    moved = customer.owner_id != getattr(former, "pk", None)
    if moved:
        hooks.owner_changed(customer=customer, former=former, actor=actor)
    if SEARCHED_FIELDS & set(cleaned) or "kind" in cleaned or moved:
        _reindex(customer)  # the owner and department are in the search document too
    audit.record(
        actor=actor,
        verb="customer.updated",
        obj=customer,
        before=before,
        after=after,
        reason=reason,
        details=dict(details or {}),
    )


# --- change requests (客户数据变更申请表) ---------------------------------------------------------

CHANGE_REQUEST = "customers.change"
MASTER_FIELDS = ("name", "phone", "id_number", "credit_code", "owner")
CHANGE_LABELS = {  # translated when shown
    "name": gettext_lazy("名称"),
    "phone": gettext_lazy("电话"),
    "id_number": gettext_lazy("身份证号码"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "owner": gettext_lazy("负责人"),
    "company": pgettext_lazy("organisation", "单位名称"),
    "email": gettext_lazy("邮箱"),
    "address": gettext_lazy("地址"),
    "wechat": gettext_lazy("微信号"),
}


def master_fields() -> tuple[str, ...]:
    """The customer fields that, once registered, change only through a change request (the
    setting ``CRM_CUSTOMER_MASTER_FIELDS``; by default name, phone, ID number, credit code and
    owner)."""
    return tuple(getattr(settings, "CRM_CUSTOMER_MASTER_FIELDS", MASTER_FIELDS))


def direct_master_edit(actor: User, customer: Customer, field: str = "") -> bool:
    """Whether ``actor`` changes ``customer``'s master data directly: the data-management
    department (``APPROVE_CHANGE`` over it). The owner is also changed directly by those who
    hand out customers beyond their own (a manager's assign right over the department): that
    is 分配, a right of its own."""
    if allows(actor, APPROVE_CHANGE, customer):
        return True
    return field == "owner" and Scope.rank(scope_of(actor, ASSIGN_CUSTOMER)) >= Scope.rank(
        Scope.DEPARTMENT
    )


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, str)) else str(value)


def _differs(customer: Customer, field: str, value: Any) -> bool:
    if field == "owner":
        return value not in (None, "", customer.owner_id)
    return bool(value != getattr(customer, field))


def pending_changes(customer: Customer) -> list[ApprovalRequest]:
    """The customer's change requests waiting for the data-management department."""
    return list(approvals.pending_all_about(customer, kind=CHANGE_REQUEST))


def pending_change_fields(customer: Customer) -> set[str]:
    return {f for r in pending_changes(customer) for f in r.payload.get("changes", {})}


def _check_change_request(
    actor: User, customer: Customer, requested: Mapping[str, Any], reason: str
) -> None:
    check_duplicates(
        actor=actor,
        values={**_duplicate_values(customer), **requested},
        kind=customer.kind,
        exclude=customer.pk,
    )
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["change_reason"] = _("修改%(fields)s须提交变更申请，请填写变更原因") % {
            "fields": "、".join(str(CHANGE_LABELS.get(f, f)) for f in requested)
        }
    waiting = pending_change_fields(customer)
    for field in requested:
        if field in waiting:
            errors[field] = _("该项已有待审批的变更申请，请等审批完成后再提交")
    if errors:
        raise (StateConflict if waiting & set(requested) else Invalid)(fields=errors)


def _owner_for_request(owner_id: Any) -> User | None:
    users = User.objects.filter(is_active=True, role__grants__has_key=OWN_CUSTOMER)
    return users.filter(pk=owner_id).first()


def _request_change(
    actor: User,
    customer: Customer,
    requested: Mapping[str, Any],
    before: Mapping[str, Any],
    reason: str,
) -> ApprovalRequest:
    labels = "、".join(str(CHANGE_LABELS.get(f, f)) for f in requested)
    return approvals.approval_submit(
        actor=actor,
        kind=CHANGE_REQUEST,
        title=_("客户资料变更申请：%(name)s（%(number)s）%(fields)s")
        % {"name": customer.name, "number": customer.number, "fields": labels},
        payload={
            "version": customer.version,
            "changes": sensitive.seal_values({f: _plain(v) for f, v in requested.items()}),
            "before": sensitive.seal_values({f: before.get(f) for f in requested}),
        },
        approve_action=APPROVE_CHANGE,
        reason=reason.strip(),
        subject=customer,
    )


def change_request_values(request: ApprovalRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a change request asks (field → value) and what the fields held when it was filed,
    decrypted (phones, ID numbers and bank accounts are stored encrypted in the payload)."""
    payload = request.payload or {}
    return (
        sensitive.open_values(payload.get("changes") or {}),
        sensitive.open_values(payload.get("before") or {}),
    )


@approvals.handler(CHANGE_REQUEST)
def _apply_change(request: ApprovalRequest, actor: User) -> None:
    """The data-management department's approval applies the change exactly as requested, to
    the customer as it was when the request was filed (otherwise the request fails)."""
    customer = (
        Customer.objects.select_for_update()
        .filter(pk=request.subject_id, deleted_at__isnull=True)
        .first()
    )
    if customer is None:
        raise DomainError(_("该客户已删除，变更未执行"))
    if customer.version != request.payload["version"]:
        raise DomainError(_("客户资料在申请提交后已被修改，变更未执行，请重新提交申请"))
    changes, _before = change_request_values(request)
    owner = None
    if "owner" in changes:
        owner = _owner_for_request(changes.pop("owner"))
        if owner is None:
            raise DomainError(_("申请的负责人已不能负责客户，变更未执行"))
    try:
        cleaned = clean_customer_data(changes, current=customer)
        _write(
            actor,
            customer,
            cleaned,
            owner=owner,
            reason=request.reason,
            details={"change_request": request.pk, "requested_by": request.requested_by_id},
        )
    except Invalid as exc:  # a duplicate made since, a rule changed since
        raise DomainError(exc.first_message) from exc


def customer_owner_set(
    *,
    actor: User | None,
    customer: Customer,
    owner: User | None,
    reason: str,
    verb: str = "customer.owner_changed",
    department_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> Customer:
    """Hand ``customer`` (locked by the caller, inside its transaction) to ``owner``, or to
    nobody (``None``: the customer went to a public pool), for ``reason``. The one writer of an
    owner change made by another domain (reception, the pool): the caller has already checked
    its own action with ``require()``; this moves the customer's open plans with it (hooks),
    keeps the search document's owner right and writes the audit row the customer's history
    shows, with the reason. ``department_id`` defaults to the new owner's department (a customer
    returned to a pool keeps its department unless the pool says otherwise)."""
    former = customer.owner
    before = customer.snapshot()
    customer.owner = owner
    if owner is not None:
        customer.department_id = owner.department_id
    if department_id is not None:
        customer.department_id = department_id
    customer.version += 1
    customer.save(update_fields=["owner", "department", "version", "updated_at"])
    if customer.owner_id != getattr(former, "pk", None):
        hooks.owner_changed(customer=customer, former=former, actor=actor)
    _reindex(customer)
    audit.record(
        actor=actor,
        verb=verb,
        obj=customer,
        before=before,
        after=customer.snapshot(),
        reason=reason,
        details=dict(details or {}),
    )
    return customer


def customers_owner_moved(*, ids: list[int], owner: User | None, at: Any) -> None:
    """The batch twin of ``customer_owner_set`` for passes over many customers: the customers
    ``ids``, locked and chosen by the caller through its own ``restrict()``/``require()``, belong
    to ``owner`` and its department from ``at`` on (a staff hand-over, 交接), or to nobody, keeping
    their department (``owner=None``: the pool's nightly return). One UPDATE by primary key, not
    an access decision; the caller writes their history rows, runs ``hooks.owner_changed_many``
    and keeps their search documents right (``search.owners_moved`` / ``owners_removed``)."""
    fields: dict[str, Any] = {"owner": owner, "version": F("version") + 1, "updated_at": at}
    if owner is not None:
        fields["department_id"] = owner.department_id
    Customer.objects.filter(pk__in=ids).update(**fields)


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
    hooks.deleted(customer=customer)
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
    hooks.restored(customer=customer)
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
        "mine": filters.mine,
        "follow": filters.follow,
        "created": filters.created,
        "sort": filters.sort,
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


def clean_contact_data(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """A contact person through the declared input (all of it, or ``partial``: some fields)."""
    return validate(ContactChange if partial else ContactInput, data)


def _contact_snapshot(contact: Contact) -> dict[str, Any]:
    return {f"contact.{k}": v for k, v in contact.snapshot().items() if k not in {"id", "customer"}}


def _apply_contact(
    actor: User, customer: Customer, contact: Contact, cleaned: Mapping[str, Any]
) -> None:
    previous_phone = contact.phone if contact.pk else ""
    for field, value in cleaned.items():
        if field == "phone":
            sensitive.write_phone(contact, value)
        else:
            setattr(contact, field, value)
    if cleaned.get("phone") and cleaned["phone"] != previous_phone:
        # a contact's phone that is another customer's is flagged as a customer's phone is (查重)
        check_duplicates(
            actor=actor, values={"phone": cleaned["phone"]}, kind=Kind.PERSON, exclude=customer.pk
        )


@transaction.atomic
def contact_create(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> Contact:
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    cleaned = clean_contact_data(data)
    contact = Contact(customer=customer)
    _apply_contact(actor, customer, contact, cleaned)
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
    *,
    actor: User,
    customer_id: int,
    contact_id: int,
    data: Mapping[str, Any],
    version: int | None = None,
) -> Contact:
    """Change a contact. ``version``: the one the edit started from; a stale one is a conflict
    (someone else saved the contact meanwhile)."""
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    if version is not None and contact.version != version:
        raise Conflict(extra={"current_version": contact.version})
    cleaned = clean_contact_data(data, partial=True)
    before = _contact_snapshot(contact)
    _apply_contact(actor, customer, contact, cleaned)
    if _contact_snapshot(contact) == before:
        return contact
    contact.version += 1
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
def contact_delete(
    *, actor: User, customer_id: int, contact_id: int, version: int | None = None
) -> None:
    customer = _locked(actor, customer_id, CHANGE_CUSTOMER)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    if version is not None and contact.version != version:
        raise Conflict(extra={"current_version": contact.version})
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
