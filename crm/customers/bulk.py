"""Bulk actions of the customer list (批量操作): transfer to another rep (转移), add or remove a
tag, change the grade, on a checked selection or on the whole current filter.

Each customer goes through the single action's own service, in a savepoint of its own:
``services.customer_update`` (the owner: its hooks move the open plans and reminders; the
tags) and ``lifecycle.customer_transition`` (the grade), with their permission checks and
their audit rows, exactly as if done one by one. A customer the actor may not change is
counted as refused, one the rules refuse as failed (with the first reason); none is skipped
silently. One ``customer.bulk`` audit row sums the batch up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import ASSIGN_CUSTOMER, CHANGE_CUSTOMER, VIEW_CUSTOMER
from crm.core.errors import DomainError, Invalid, NotFound, PermissionDenied
from crm.core.permissions import require, restrict
from crm.governance import audit

from . import lifecycle, services
from .choices import Category, Grade
from .inputs import TAG_MAX_LENGTH
from .listviews import squash
from .models import Customer
from .selectors import assignable_owners

TRANSFER, ADD_TAG, REMOVE_TAG, SET_GRADE = "transfer", "add_tag", "remove_tag", "grade"
OPERATIONS = (TRANSFER, ADD_TAG, REMOVE_TAG, SET_GRADE)
# a whole-filter batch larger than this runs as a background task (the user is told when done)
INLINE_MAX = 200
# at most this many customers in one batch
BATCH_MAX = 20_000


@dataclass
class Outcome:
    """What a batch did: ``done`` changed, ``unchanged`` already so, ``refused`` outside the
    actor's permission, ``failed`` refused by the rules (``reasons``: the first few)."""

    operation: str
    done: int = 0
    unchanged: int = 0
    refused: int = 0
    failed: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.done + self.unchanged + self.refused + self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "done": self.done,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "failed": self.failed,
            "reasons": self.reasons,
        }

    def summary(self) -> str:
        """ "已转移 37 位，3 位无权限" in the reader's language."""
        verb = {
            TRANSFER: _("已转移 %(n)s 位"),
            ADD_TAG: _("已添加标签 %(n)s 位"),
            REMOVE_TAG: _("已移除标签 %(n)s 位"),
            SET_GRADE: _("已变更级别 %(n)s 位"),
        }[self.operation]
        parts = [verb % {"n": self.done}]
        if self.unchanged:
            parts.append(_("%(n)s 位无需变更") % {"n": self.unchanged})
        if self.refused:
            parts.append(_("%(n)s 位无权限") % {"n": self.refused})
        if self.failed:
            reason = "；".join(self.reasons[:3])
            parts.append(_("%(n)s 位未能办理（%(reason)s）") % {"n": self.failed, "reason": reason})
        return _("，").join(parts)


def clean_request(*, actor: User, operation: str, value: Any, field: str = "value") -> Any:
    """The batch's value checked once, before any customer: the new owner (one the actor may
    assign to), a tag name or a grade; an error names ``field``."""
    if operation not in OPERATIONS:
        raise Invalid(fields={"operation": _("请选择批量操作")})
    if operation == TRANSFER:
        require(actor, ASSIGN_CUSTOMER)
        owner = str(value or "")
        if not (owner.isascii() and owner.isdigit() and len(owner) <= 18):
            raise Invalid(fields={field: _("请选择新的负责人")})
        if not assignable_owners(actor=actor).filter(pk=int(owner)).exists():
            raise Invalid(fields={field: _("不能把客户分配给该用户")})
        return int(owner)
    require(actor, CHANGE_CUSTOMER)
    if operation in (ADD_TAG, REMOVE_TAG):
        tag = squash(value)
        if not tag:
            raise Invalid(fields={field: _("请填写标签")})
        if len(tag) > TAG_MAX_LENGTH:
            raise Invalid(fields={field: _("标签最多 %(n)s 个字") % {"n": TAG_MAX_LENGTH}})
        return tag
    grade = str(value or "")
    if grade not in Grade.values:
        raise Invalid(fields={field: _("请选择意向级别")})
    return grade


def _one(actor: User, operation: str, value: Any, customer: Customer) -> bool:
    """Apply the operation to one customer through its single action; False: nothing to do."""
    if operation == TRANSFER:
        if customer.owner_id == value:
            return False
        services.customer_update(
            actor=actor, customer_id=customer.pk, version=customer.version, data={"owner": value}
        )
        return True
    if operation in (ADD_TAG, REMOVE_TAG):
        names = customer.tag_names
        if operation == ADD_TAG:
            if value in names:
                return False
            names.append(value)
        else:
            if value not in names:
                return False
            names.remove(value)
        services.customer_update(
            actor=actor, customer_id=customer.pk, version=customer.version, data={"tags": names}
        )
        return True
    if customer.category == Category.INTENTION and customer.grade == value:
        return False
    lifecycle.customer_transition(
        actor=actor,
        customer_id=customer.pk,
        version=customer.version,
        to=Category.INTENTION,
        grade=value,
        reason=_("批量变更级别"),
    )
    return True


def bulk_apply(
    *, actor: User, operation: str, value: Any, ids: Iterable[int], field: str = "value"
) -> Outcome:
    """Apply ``operation`` with ``value`` (checked by ``clean_request``, errors naming
    ``field``) to the customers ``ids``, each one in its own savepoint through the single
    action's service."""
    value = clean_request(actor=actor, operation=operation, value=value, field=field)
    wanted = list(dict.fromkeys(int(i) for i in ids))[:BATCH_MAX]
    outcome = Outcome(operation)
    visible = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_CUSTOMER)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found = {c.pk: c for c in visible.filter(pk__in=chunk).prefetch_related("tags")}
        for pk in chunk:
            customer = found.get(pk)
            if customer is None:
                outcome.refused += 1
                continue
            try:
                with transaction.atomic():
                    changed = _one(actor, operation, value, customer)
            except (NotFound, PermissionDenied):
                outcome.refused += 1
            except DomainError as exc:
                outcome.failed += 1
                reason = exc.first_message
                if reason not in outcome.reasons:
                    outcome.reasons.append(reason)
            else:
                if changed:
                    outcome.done += 1
                else:
                    outcome.unchanged += 1
    audit.record(
        actor=actor,
        verb="customer.bulk",
        object_type=Customer._meta.label_lower,
        details={**outcome.as_dict(), "value": value, "count": outcome.total},
    )
    return outcome
