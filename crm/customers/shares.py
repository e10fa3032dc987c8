"""客户共享: a customer shared with a colleague, read-only or read-write, until a date.

Whoever may assign the customer (``customers.assign_customer`` on it: its owner rep, their
manager, the data administrator) shares it with an active colleague who may own customers. What a
share opens is decided in one place, ``crm.core.permissions`` (the customer's policy names its
``shares``; crm.accounts.roles declares which actions a share opens): from the scope ``assigned``
up, a share lets its colleague read the customer with its follow-ups and plans, and a read-write
one lets them edit it, record follow-ups and plan. Deleting and assigning stay with the owner.
A share counts up to and including its ``until`` day and then simply stops counting; revoking
deletes it at once. Each change is an audit row on the customer; the colleague gets a reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import ASSIGN_CUSTOMER, OWN_CUSTOMER
from crm.core.errors import Invalid, NotFound
from crm.core.inputs import validate
from crm.core.permissions import has_action, require, restrict, shares_changed
from crm.governance import audit

from . import hooks
from .choices import ShareMode
from .inputs import SHARE_DAYS_MAX, ShareInput
from .models import Customer, CustomerShare
from .selectors import customer_get


def _locked(actor: User, customer_id: int) -> Customer:
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, ASSIGN_CUSTOMER)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        require(actor, ASSIGN_CUSTOMER)  # 403 when the action itself is missing
        raise NotFound()
    return customer


def share_candidates(*, customer: Customer | None = None) -> list[User]:
    """The colleagues a customer may be shared with: active users who may own customers (not
    its owner, who has it anyway)."""
    users = User.objects.filter(is_active=True).select_related("role", "department")
    if customer is not None and customer.owner_id is not None:
        users = users.exclude(pk=customer.owner_id)
    return [u for u in users.order_by("department_id", "username") if has_action(u, OWN_CUSTOMER)]


def _colleague(user_id: int, customer: Customer) -> User:
    colleague = User.objects.filter(pk=user_id, is_active=True).select_related("role").first()
    if colleague is None or not has_action(colleague, OWN_CUSTOMER):
        raise Invalid(fields={"user": _("只能共享给可作为客户负责人的在职同事")})
    if colleague.pk == customer.owner_id:
        raise Invalid(fields={"user": _("该同事是客户负责人，无需共享")})
    return colleague


def _check_until(until: dt.date) -> None:
    today = timezone.localdate()
    if until < today:
        raise Invalid(fields={"until": _("共享截止日期不能早于今天")})
    if until > today + dt.timedelta(days=SHARE_DAYS_MAX):
        raise Invalid(fields={"until": _("共享期限最长一年")})


@transaction.atomic
def customer_share(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> CustomerShare:
    """Share the customer with a colleague (``ShareInput``); sharing again with the same
    colleague changes the mode and the date of their share."""
    customer = _locked(actor, customer_id)
    cleaned = validate(ShareInput, data)
    missing = {f: _("请填写此项") for f in ("user", "until") if f not in cleaned}
    if missing:
        raise Invalid(fields=missing)
    colleague = _colleague(cleaned["user"], customer)
    _check_until(cleaned["until"])
    mode = cleaned.get("mode") or ShareMode.READ
    share = colleague.customer_shares.filter(customer=customer).first()  # type: ignore[attr-defined]
    before = share.snapshot() if share is not None else None
    if share is None:
        share = CustomerShare(customer=customer, user=colleague)
    share.mode, share.until, share.shared_by = mode, cleaned["until"], actor
    if before is not None and share.snapshot() == before:
        return share
    share.save()
    shares_changed()
    audit.record(
        actor=actor,
        verb="customer.shared" if before is None else "customer.share_changed",
        obj=customer,
        before=before,
        after=share.snapshot(),
        reason=colleague.display_name,
        details={"share": share.pk, "user": colleague.pk},
    )
    hooks.shared(share=share, customer=customer, actor=actor)
    return share


@transaction.atomic
def customer_unshare(*, actor: User, customer_id: int, share_id: int) -> None:
    """Revoke a share: the colleague loses access at once."""
    customer = _locked(actor, customer_id)
    share = CustomerShare.objects.filter(customer=customer, pk=share_id).first()
    if share is None:
        raise NotFound()
    before = share.snapshot()
    who, details = share.user.display_name, {"share": share.pk, "user": share.user_id}
    share.delete()
    shares_changed()
    audit.record(
        actor=actor,
        verb="customer.unshared",
        obj=customer,
        before=before,
        reason=who,
        details=details,
    )


def share_list(*, actor: User, customer_id: int) -> list[CustomerShare]:
    """The shares of a customer the actor may see (expired ones too, marked by their date)."""
    customer = customer_get(actor=actor, customer_id=customer_id)
    return shares_of(customer=customer)


def shares_of(*, customer: Customer) -> list[CustomerShare]:
    """The shares of a customer already read through ``customer_get``."""
    return list(
        CustomerShare.objects.filter(customer=customer)
        .select_related("user", "shared_by")
        .order_by("-until", "id")
    )


def prune_expired(*, before: dt.date | None = None) -> int:
    """Delete shares that ended before ``before`` (default: 30 days ago); they count for nothing
    already. Returns how many."""
    cutoff = before or timezone.localdate() - dt.timedelta(days=30)
    deleted, _x = CustomerShare.objects.filter(until__lt=cutoff).delete()
    shares_changed()
    return deleted
