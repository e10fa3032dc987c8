"""Writes of the public pools (公海): claiming and assigning customers from a pool, the nightly
return of customers under the pools' rules with the owner's warning before it, locking a
customer against return, and the pools' settings.

Every change of a customer's owner goes through ``crm.customers.services.customer_owner_set``
(the audit row with its reason, the owner-changed hooks, the search index), except the nightly
return, which does the same for a batch of customers at a time in a few statements
(``_return_batch``): its history rows are one per customer, with the rule as the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.accounts.models import User
from crm.accounts.roles import (
    ASSIGN_CUSTOMER,
    ASSIGN_FROM_POOL,
    CLAIM_POOL,
    LOCK_CUSTOMER,
    MANAGE_POOL,
    OWN_CUSTOMER,
    VIEW_POOL,
)
from crm.activities import services as activities
from crm.core import bulk
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import allows, owned_by, require, restrict
from crm.customers import hooks, search
from crm.customers import services as customers
from crm.customers.models import Customer
from crm.governance import audit

from . import rules
from .choices import EnterKind, LeaveKind, RuleKind
from .inputs import AssignInput, ClaimInput, LockInput, PoolInput, RuleInput
from .models import Holding, Pool, PoolEntry, PoolLock, PoolWarning, ReturnRule

# --- the owner's clock ------------------------------------------------------------------------


def holding_note(*, customer: Customer, former: Any, actor: Any) -> None:
    """The owner-changed hook: the rules count from the day the new owner got the customer."""
    if customer.owner_id is None:
        Holding.objects.filter(customer_id=customer.pk).delete()
    else:
        Holding.objects.update_or_create(
            customer_id=customer.pk, defaults={"since": timezone.now()}
        )


def holdings_note(*, customers: Sequence[Customer], formers: Any, actor: Any) -> None:
    """``holding_note`` for many customers (those gone to a pool in one DELETE, those handed to
    a new owner in one UPDATE and one INSERT)."""
    gone = [c.pk for c in customers if c.owner_id is None]
    Holding.objects.filter(customer_id__in=gone).delete()
    kept = [c.pk for c in customers if c.owner_id is not None]
    if not kept:
        return
    now = timezone.now()
    held = set(Holding.objects.filter(customer_id__in=kept).values_list("customer_id", flat=True))
    Holding.objects.filter(customer_id__in=held).update(since=now)
    Holding.objects.bulk_create(
        [Holding(customer_id=pk, since=now) for pk in kept if pk not in held], batch_size=1000
    )


# --- claiming and assigning ---------------------------------------------------------------------


def _day_start(now: dt.datetime) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))


def _open_entries(actor: User, action: str, customer_ids: Sequence[int]) -> list[PoolEntry]:
    """The open entries of ``customer_ids`` the actor may act on, locked, in key order; 404 when
    one of them is not in a pool of the actor's (or not in a pool at all)."""
    require(actor, action)
    ids = sorted(set(customer_ids))
    open_ = PoolEntry.objects.filter(left_at__isnull=True, customer_id__in=ids)
    visible = list(restrict(open_, actor, action).values_list("pk", flat=True))
    entries = list(
        PoolEntry.objects.select_for_update()
        .filter(pk__in=visible, left_at__isnull=True)
        .order_by("customer_id")
    )
    if len(entries) != len(ids):
        raise NotFound()
    return entries


def _pools(entries: Iterable[PoolEntry]) -> dict[int, Pool]:
    ids = {e.pool_id for e in entries}
    return {p.pk: p for p in Pool.objects.filter(pk__in=ids)}


def _check_cap(owner: User, adding: int, pools: Iterable[Pool]) -> None:
    caps = [p.cap_per_rep for p in pools if p.cap_per_rep]
    if not caps:
        return
    cap = min(caps)
    held = owned_by(Customer.objects.filter(deleted_at__isnull=True), [owner.pk]).count()
    if held + adding > cap:
        raise StateConflict(
            _("%(name)s 名下已有 %(held)d 位客户，上限 %(cap)d 位，还可增加 %(left)d 位")
            % {"name": owner.display_name, "held": held, "cap": cap, "left": max(cap - held, 0)}
        )


def _check_claim(actor: User, pool: Pool, entries: list[PoolEntry], now: dt.datetime) -> None:
    if len(entries) > pool.claims_per_time:
        raise StateConflict(
            _("公海“%(pool)s”每次最多领取 %(n)d 位客户")
            % {"pool": pool.name, "n": pool.claims_per_time}
        )
    taken = PoolEntry.objects.filter(
        pool=pool, taken_by=actor, left_kind=LeaveKind.CLAIMED, left_at__gte=_day_start(now)
    ).count()
    if taken + len(entries) > pool.claims_per_day:
        raise StateConflict(
            _("公海“%(pool)s”每人每天最多领取 %(n)d 位客户，今天已领取 %(taken)d 位")
            % {"pool": pool.name, "n": pool.claims_per_day, "taken": taken}
        )
    until = now - dt.timedelta(days=pool.reclaim_days)
    for entry in entries:
        if entry.former_owner_id == actor.pk and entry.entered_at > until:
            free_on = timezone.localdate(entry.entered_at) + dt.timedelta(days=pool.reclaim_days)
            raise StateConflict(
                _("您是该客户的原负责人，%(day)s 之后才能再领取") % {"day": free_on.isoformat()}
            )


def _take(
    *, actor: User, entry: PoolEntry, customer: Customer, owner: User, kind: str, reason: str
) -> Customer:
    entry.left_at = timezone.now()
    entry.left_kind = kind
    entry.taken_by = owner
    entry.actor = actor
    entry.save(update_fields=["left_at", "left_kind", "taken_by", "actor"])
    verb = (
        "customer.claimed_from_pool" if kind == LeaveKind.CLAIMED else "customer.assigned_from_pool"
    )
    return customers.customer_owner_set(
        actor=actor,
        customer=customer,
        owner=owner,
        reason=reason,
        verb=verb,
        details={"pool": entry.pool_id},
    )


def _locked_customers(entries: Sequence[PoolEntry]) -> dict[int, Customer]:
    ids = [e.customer_id for e in entries]
    rows = Customer.objects.select_for_update().filter(pk__in=ids, deleted_at__isnull=True)
    found = {c.pk: c for c in rows.order_by("pk")}
    if len(found) != len(ids):
        raise NotFound()
    return found


@transaction.atomic
def pool_claim(*, actor: User, data: Mapping[str, Any]) -> list[Customer]:
    """A member claims customers from their pools (领取): within the pool's quota per claim and
    per day, under the cap of customers per rep, never a customer they lost to the pool less than
    the pool's K days ago. All or nothing."""
    cleaned = validate(ClaimInput, data)
    require(actor, OWN_CUSTOMER)
    entries = _open_entries(actor, CLAIM_POOL, cleaned["customers"])
    pools = _pools(entries)
    now = timezone.now()
    by_pool: dict[int, list[PoolEntry]] = defaultdict(list)
    for entry in entries:
        by_pool[entry.pool_id].append(entry)
    for pool_id, group in by_pool.items():
        _check_claim(actor, pools[pool_id], group, now)
    _check_cap(actor, len(entries), pools.values())
    found = _locked_customers(entries)
    return [
        _take(
            actor=actor,
            entry=e,
            customer=found[e.customer_id],
            owner=actor,
            kind=LeaveKind.CLAIMED,
            reason=_("从公海“%(pool)s”领取") % {"pool": pools[e.pool_id].name},
        )
        for e in entries
    ]


def _assignee(pool_ids: Iterable[int], owner_id: int) -> User:
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_action(OWN_CUSTOMER):
        raise Invalid(fields={"owner": _("请选择可负责客户的用户")})
    pools = Pool.objects.filter(pk__in=set(pool_ids))
    for pool in pools:
        if not (
            pool.member_users.filter(pk=owner.pk).exists()
            or pool.admin_users.filter(pk=owner.pk).exists()
        ):
            raise Invalid(
                fields={
                    "owner": _("%(name)s 不是公海“%(pool)s”的成员")
                    % {"name": owner.display_name, "pool": pool.name}
                }
            )
    return owner


@transaction.atomic
def pool_assign(*, actor: User, data: Mapping[str, Any]) -> list[Customer]:
    """A pool's administrator or a manager assigns customers from the pool (分配) to a member,
    under the cap of customers per rep (the quotas are the members' own claims)."""
    cleaned = validate(AssignInput, data)
    entries = _open_entries(actor, ASSIGN_FROM_POOL, cleaned["customers"])
    pools = _pools(entries)
    owner = _assignee(pools, cleaned["owner"])
    _check_cap(owner, len(entries), pools.values())
    found = _locked_customers(entries)
    return [
        _take(
            actor=actor,
            entry=e,
            customer=found[e.customer_id],
            owner=owner,
            kind=LeaveKind.ASSIGNED,
            reason=_("由 %(actor)s 从公海“%(pool)s”分配")
            % {"actor": actor.display_name, "pool": pools[e.pool_id].name},
        )
        for e in entries
    ]


@transaction.atomic
def pool_release(*, actor: User, customer_id: int, pool_id: int, reason: str) -> PoolEntry:
    """The owner (or whoever may hand the customer over) puts a customer into a pool they can
    see (放入公海), with the reason; the former owner's K days apply as after a return."""
    customer = _locked_customer(actor, customer_id, ASSIGN_CUSTOMER)
    pool = restrict(Pool.objects.filter(pk=pool_id), actor, VIEW_POOL).first()
    if pool is None:
        require(actor, VIEW_POOL)
        raise NotFound()
    if customer.owner_id is None:
        raise StateConflict(_("该客户已在公海中"))
    if not reason.strip():
        raise Invalid(fields={"reason": _("请填写放入公海的原因")})
    entry = PoolEntry.objects.create(
        pool=pool,
        customer=customer,
        entered_at=timezone.now(),
        enter_kind=EnterKind.RELEASED,
        former_owner=customer.owner,
        reason=reason.strip()[:300],
    )
    customers.customer_owner_set(
        actor=actor,
        customer=customer,
        owner=None,
        reason=_("放入公海“%(pool)s”：%(reason)s") % {"pool": pool.name, "reason": entry.reason},
        verb="customer.released_to_pool",
        details={"pool": pool.pk},
    )
    return entry


# --- the nightly return ---------------------------------------------------------------------


@dataclass
class ReturnOutcome:
    returned: int = 0
    warned: int = 0
    # owner id → (how many newly warned, their first names)
    warnings: dict[int, tuple[int, list[str]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"returned": self.returned, "warned": self.warned}


WARN_NAMES = 5


def return_reason(rule: rules.Rule) -> str:
    what = {
        RuleKind.NO_FOLLOWUP: _("超过 %(days)d 天未跟进"),
        RuleKind.NO_OPPORTUNITY: _("超过 %(days)d 天无新商机"),
        RuleKind.NO_DEAL: _("超过 %(days)d 天未成交"),
    }[RuleKind(rule.kind)] % {"days": rule.days}
    return _("%(what)s，收回公海“%(pool)s”") % {"what": what, "pool": rule.pool_name}


def pool_return_due(*, now: dt.datetime | None = None, batch: int = rules.BATCH) -> ReturnOutcome:
    """The nightly pass: every customer whose return day has come goes to its pool, and each
    owner is warned once per return cycle of the customers returning within the pool's M days
    (a reminder; the Today page and the digest list them). Idempotent: a second pass the same
    day finds nothing more to do. Each batch is its own transaction."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    active = rules.active_rules()
    outcome = ReturnOutcome()
    for dues in rules.due_batches(Customer.objects.all(), active, today, batch=batch):
        with transaction.atomic():
            due_now = [d for d in dues if d.return_on <= today]
            outcome.returned += _return_batch(due_now, now)
            _warn_batch([d for d in dues if d.return_on > today], outcome)
    _send_warnings(outcome)
    return outcome


def _return_batch(dues: Sequence[rules.Due], now: dt.datetime) -> int:
    """Return a batch to the pools: the rows locked and checked again (an owner changed since
    the read keeps the customer), the owner cleared in one UPDATE, the entries and the history
    rows (one per customer, with its rule as the reason) in bulk, the search documents
    rewritten, and the owner-changed hooks through their batch twins."""
    if not dues:
        return 0
    by_id = {d.customer_id: d for d in dues}
    locked = (
        Customer.objects.select_for_update(of=("self",))
        .filter(pk__in=list(by_id), deleted_at__isnull=True, pool_lock__isnull=True)
        .only("pk", "number", "name", "owner_id", "department_id")
        .order_by("pk")
    )
    rows = [c for c in locked if c.owner_id == by_id[c.pk].owner_id]
    if not rows:
        return 0
    ids = [c.pk for c in rows]
    users = {u.pk: u for u in User.objects.filter(pk__in={c.owner_id for c in rows})}
    formers = {c.pk: users[c.owner_id] for c in rows}  # type: ignore[index]
    customers.customers_owner_moved(ids=ids, owner=None, at=now)
    entries: list[dict[str, Any]] = []
    events = []
    reasons: dict[int, str] = {}
    for customer in rows:
        due = by_id[customer.pk]
        if due.rule.id not in reasons:
            reasons[due.rule.id] = return_reason(due.rule)
        reason = reasons[due.rule.id]
        entries.append(
            {
                "pool_id": due.rule.pool_id,
                "customer_id": customer.pk,
                "entered_at": now,
                "enter_kind": EnterKind.RETURNED,
                "former_owner_id": formers[customer.pk].pk,
                "reason": reason,
            }
        )
        customer.owner = None
        # the history row: the one field that changed (what the whole snapshot's diff gives)
        events.append(
            audit.Entry(
                actor=None,
                verb="customer.returned_to_pool",
                obj=customer,
                before={"owner": formers[customer.pk].pk},
                after={"owner": None},
                reason=reason,
                details={"pool": due.rule.pool_id, "rule": due.rule.id},
            )
        )
    bulk.insert_rows(PoolEntry, entries)
    audit.record_many(events)
    hooks.owner_changed_many(customers=rows, formers=formers, actor=None)
    search.owners_removed([(c.pk, formers[c.pk].pk, c.department_id) for c in rows])
    return len(rows)


def _warn_batch(dues: Sequence[rules.Due], outcome: ReturnOutcome) -> None:
    if not dues:
        return
    sent = set(
        PoolWarning.objects.filter(customer_id__in=[d.customer_id for d in dues]).values_list(
            "customer_id", "owner_id", "return_on"
        )
    )
    new = [d for d in dues if (d.customer_id, d.owner_id, d.return_on) not in sent]
    PoolWarning.objects.bulk_create(
        [
            PoolWarning(
                customer_id=d.customer_id,
                owner_id=d.owner_id,
                pool_id=d.rule.pool_id,
                return_on=d.return_on,
            )
            for d in new
        ],
        ignore_conflicts=True,
    )
    outcome.warned += len(new)
    for d in new:
        n, names = outcome.warnings.get(d.owner_id, (0, []))
        if len(names) < WARN_NAMES:
            names.append(d.name)
        outcome.warnings[d.owner_id] = (n + 1, names)


def _send_warnings(outcome: ReturnOutcome) -> None:
    """One reminder per owner with the customers newly due to return (names, never phones)."""
    owners = User.objects.filter(pk__in=list(outcome.warnings), is_active=True)
    for owner in owners:
        n, names = outcome.warnings[owner.pk]
        title = ngettext(
            "%(n)d 位客户即将收回公海，请及时跟进",
            "%(n)d 位客户即将收回公海，请及时跟进",
            n,
        ) % {"n": n}
        activities.notify(
            user=owner, kind="pool_warning", title=title, body="、".join(names), url="/today/#pool"
        )


# --- locking against return ---------------------------------------------------------------------


def _locked_customer(actor: User, customer_id: int, action: str = LOCK_CUSTOMER) -> Customer:
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, action)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        require(actor, action)
        raise NotFound()
    return customer


@transaction.atomic
def customer_pool_lock(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> PoolLock:
    """Lock a customer against return to any pool (防收回), with the reason."""
    cleaned = validate(LockInput, data)
    customer = _locked_customer(actor, customer_id)
    lock, created = PoolLock.objects.get_or_create(
        customer=customer, defaults={"locked_by": actor, "reason": cleaned["reason"]}
    )
    if not created:
        raise StateConflict(_("该客户已锁定，不会被收回公海"))
    audit.record(
        actor=actor,
        verb="customer.pool_locked",
        obj=customer,
        before={"pool_lock": False},
        after={"pool_lock": True},
        reason=cleaned["reason"],
    )
    return lock


@transaction.atomic
def customer_pool_unlock(*, actor: User, customer_id: int) -> Customer:
    """Unlock: the customer returns under the rules again (a customer not locked: nothing to
    do, and nothing recorded)."""
    customer = _locked_customer(actor, customer_id)
    if not PoolLock.objects.filter(customer=customer).delete()[0]:
        return customer
    audit.record(
        actor=actor,
        verb="customer.pool_unlocked",
        obj=customer,
        before={"pool_lock": True},
        after={"pool_lock": False},
    )
    return customer


# --- the pools' settings ----------------------------------------------------------------------


def _users(ids: Iterable[int], field_name: str) -> list[User]:
    wanted = set(ids)
    users = list(User.objects.filter(pk__in=wanted, is_active=True))
    if len(users) != len(wanted):
        raise Invalid(fields={field_name: _("请选择在职的用户")})
    return users


def _apply_pool(pool: Pool, cleaned: Mapping[str, Any]) -> tuple[list[User], list[User]]:
    from crm.accounts.models import Department

    for name in (
        "name",
        "region",
        "warn_days",
        "reclaim_days",
        "claims_per_day",
        "claims_per_time",
        "cap_per_rep",
    ):
        if name in cleaned:
            setattr(pool, name, cleaned[name])
    if "hidden_fields" in cleaned:
        pool.hidden_fields = sorted(set(cleaned["hidden_fields"]))
    if "department" in cleaned:
        dept = cleaned["department"]
        if dept is not None and not Department.objects.filter(pk=dept).exists():
            raise Invalid(fields={"department": _("部门不存在")})
        pool.department_id = dept
    if Pool.objects.filter(name=pool.name).exclude(pk=pool.pk).exists():
        raise StateConflict(fields={"name": _("已有同名的公海")})
    return _users(cleaned.get("members", []), "members"), _users(
        cleaned.get("admins", []), "admins"
    )


def _pool_snapshot(pool: Pool) -> dict[str, Any]:
    data = pool.snapshot()
    data["members"] = sorted(pool.member_users.values_list("pk", flat=True))
    data["admins"] = sorted(pool.admin_users.values_list("pk", flat=True))
    return data


@transaction.atomic
def pool_create(*, actor: User, data: Mapping[str, Any]) -> Pool:
    require(actor, MANAGE_POOL)
    cleaned = validate(PoolInput, data)
    pool = Pool()
    members, admins = _apply_pool(pool, cleaned)
    pool.save()
    pool.member_users.set(members)
    pool.admin_users.set(admins)
    if not allows(actor, MANAGE_POOL, pool):  # a manager's pools are their department's
        raise Invalid(fields={"department": _("只能为本部门设置公海")})
    audit.record(actor=actor, verb="pool.created", obj=pool, after=_pool_snapshot(pool))
    return pool


def _locked_pool(actor: User, pool_id: int) -> Pool:
    pool = restrict(Pool.objects.filter(pk=pool_id), actor, MANAGE_POOL).first()
    if pool is None:
        require(actor, MANAGE_POOL)
        raise NotFound()
    return Pool.objects.select_for_update().get(pk=pool.pk)


@transaction.atomic
def pool_update(*, actor: User, pool_id: int, data: Mapping[str, Any]) -> Pool:
    """Change a pool's settings, members and administrators (the whole pool, as sent)."""
    cleaned = validate(PoolInput, data)
    pool = _locked_pool(actor, pool_id)
    before = _pool_snapshot(pool)
    members, admins = _apply_pool(pool, cleaned)
    pool.version += 1
    pool.save()
    pool.member_users.set(members)
    pool.admin_users.set(admins)
    if not allows(actor, MANAGE_POOL, pool):
        raise Invalid(fields={"department": _("只能为本部门设置公海")})
    audit.record(
        actor=actor, verb="pool.updated", obj=pool, before=before, after=_pool_snapshot(pool)
    )
    return pool


@transaction.atomic
def rule_add(*, actor: User, pool_id: int, data: Mapping[str, Any]) -> ReturnRule:
    cleaned = validate(RuleInput, data)
    pool = _locked_pool(actor, pool_id)
    rule = ReturnRule.objects.create(pool=pool, **cleaned)
    audit.record(
        actor=actor,
        verb="pool.rule_added",
        obj=pool,
        after={"rule": {**cleaned, "id": rule.pk}},
    )
    return rule


@transaction.atomic
def rule_remove(*, actor: User, pool_id: int, rule_id: int) -> None:
    pool = _locked_pool(actor, pool_id)
    rule = ReturnRule.objects.filter(pool=pool, pk=rule_id).first()
    if rule is None:
        raise NotFound()
    before = {
        "rule": {
            "id": rule.pk,
            "kind": rule.kind,
            "days": rule.days,
            "grade": rule.grade,
            "category": rule.category,
            "include_deals": rule.include_deals,
        }
    }
    rule.delete()
    audit.record(actor=actor, verb="pool.rule_removed", obj=pool, before=before)
