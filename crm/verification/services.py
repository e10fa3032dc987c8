"""Writes of the verification (数据核查): opening a round, a rep's confirmation or correction of
one record, reminders, closing.

Opening a round over 100,000 customers is a read of their ids, owners and departments in
chunks and a bulk insert of the items; each supplying rep gets one reminder with their count
(crm.activities notifications). A correction goes through ``customer_update`` (the normal
customer edit: its version check, duplicate check and history); the item only records that it
was done, by whom and when.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Department, User
from crm.accounts.roles import MANAGE_VERIFICATION, VERIFY_RECORD
from crm.activities import services as activities
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import in_departments, require, restrict
from crm.customers import services as customers
from crm.customers.models import Customer
from crm.governance import audit

from . import selectors
from .inputs import ConfirmInput, CorrectInput, RoundInput
from .models import DONE_STATES, ItemState, RoundState, VerificationItem, VerificationRound

NOTICE = "verification"


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _notify(round_: VerificationRound, counts: Mapping[int, int], title: str) -> int:
    url = reverse("web:verification_mine")
    users = User.objects.filter(pk__in=list(counts), is_active=True)
    for user in users:
        activities.notify(
            user=user,
            kind=NOTICE,
            title=title % {"title": round_.title, "n": counts[user.pk]},
            body=_("请在 %(day)s 前逐条确认或更正。") % {"day": round_.deadline.isoformat()},
            url=url,
        )
    return len(users)


@transaction.atomic
def round_open(*, actor: User, data: Mapping[str, Any]) -> VerificationRound:
    """Open a round over the customers matching the filter (not those already waiting in
    another open round): one item per customer for its supplying rep, who is told."""
    require(actor, MANAGE_VERIFICATION)
    cleaned = validate(RoundInput, data)
    today = timezone.localdate()
    if cleaned["deadline"] < today:
        raise Invalid(fields={"deadline": _("截止日期不能早于今天")})
    rows = restrict(Customer.objects.alive(), actor, MANAGE_VERIFICATION)
    criteria: dict[str, Any] = {}
    if cleaned.get("department"):
        department = Department.objects.filter(pk=cleaned["department"]).first()
        if department is None:
            raise Invalid(fields={"department": _("部门不存在")})
        rows = in_departments(rows, department.subtree_ids())
        criteria["department"] = department.pk
    if cleaned.get("category"):
        rows = rows.filter(category=cleaned["category"])
        criteria["category"] = cleaned["category"]
    busy = VerificationItem.objects.filter(
        round__state=RoundState.OPEN, state=ItemState.PENDING
    ).values("customer_id")
    rows = rows.exclude(pk__in=busy)
    if cleaned.get("unverified_only", True):
        since = quarter_start(today)
        done = VerificationItem.objects.filter(
            state__in=DONE_STATES, done_at__date__gte=since
        ).values("customer_id")
        rows = rows.exclude(pk__in=done)
        criteria["unverified_since"] = since.isoformat()
    round_ = VerificationRound.objects.create(
        title=cleaned["title"], criteria=criteria, deadline=cleaned["deadline"], opened_by=actor
    )
    # one INSERT … SELECT over the matching customers (100,000 rows in a few seconds, where
    # building them as model instances took a minute): the supplying rep is the owner, else
    # whoever registered the customer
    select, params = (
        rows.order_by()
        .values_list("pk", "owner_id", "created_by_id", "department_id", "version")
        .query.sql_with_params()
    )
    table = VerificationItem._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (round_id, customer_id, rep_id, department_id, state, "
            "version_at_open, note) SELECT %s, s.pk, COALESCE(s.owner_id, s.created_by_id), "
            f"s.department_id, %s, s.version, '' FROM ({select}) s",
            [round_.pk, ItemState.PENDING, *params],
        )
    reps: Counter[int] = Counter(
        dict(
            VerificationItem.objects.filter(round=round_, rep__isnull=False)
            .values("rep_id")
            .annotate(n=Count("id"))
            .values_list("rep_id", "n")
        )
    )
    total = VerificationItem.objects.filter(round=round_).count()
    if not total:
        raise StateConflict(_("没有需要核查的客户"))  # all verified or waiting: the state refuses
    round_.total = total
    round_.save(update_fields=["total"])
    told = _notify(round_, reps, _("数据核查「%(title)s」：您有 %(n)d 个客户待核查"))
    audit.record(
        actor=actor,
        verb="verification.opened",
        obj=round_,
        after={"deadline": round_.deadline.isoformat(), **criteria},
        details={"customers": total, "reps": len(reps), "notified": told},
    )
    return round_


def _locked_item(actor: User, item_id: int) -> VerificationItem:
    item = (
        VerificationItem.objects.select_for_update(of=("self",))
        .select_related("round")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound()
    require(actor, VERIFY_RECORD, item)
    if item.round.state != RoundState.OPEN:
        raise StateConflict(_("该核查轮次已关闭"))
    if item.state != ItemState.PENDING:
        raise StateConflict(_("该客户已核查"))
    return item


def _done(actor: User, item: VerificationItem, state: str, note: str) -> VerificationItem:
    item.state, item.done_by, item.done_at, item.note = state, actor, timezone.now(), note
    item.save(update_fields=["state", "done_by", "done_at", "note"])
    audit.record(
        actor=actor,
        verb=f"verification.{state}",
        obj=item.customer,
        before={"verification": ItemState.PENDING},
        after={"verification": state},
        reason=note,
        details={"round": item.round_id, "late": timezone.localdate() > item.round.deadline},
    )
    return item


@transaction.atomic
def item_confirm(*, actor: User, item_id: int, data: Mapping[str, Any]) -> VerificationItem:
    """The supplying rep confirms the record is true and current."""
    cleaned = validate(ConfirmInput, data)
    item = _locked_item(actor, item_id)
    return _done(actor, item, ItemState.CONFIRMED, cleaned.get("note", ""))


@transaction.atomic
def item_correct(*, actor: User, item_id: int, data: Mapping[str, Any]) -> VerificationItem:
    """The supplying rep corrects the record: the changes through the normal customer edit
    (``data`` with the customer's ``version``), or, edited already, marked corrected."""
    cleaned = validate(CorrectInput, data)
    item = _locked_item(actor, item_id)
    changes = cleaned.get("data") or {}
    if changes:
        if cleaned.get("version") is None:
            raise Invalid(fields={"version": _("请提供客户的当前版本")})
        customers.customer_update(
            actor=actor, customer_id=item.customer_id, version=cleaned["version"], data=changes
        )
    else:
        version = (
            Customer.objects.filter(pk=item.customer_id).values_list("version", flat=True).first()
        )
        if version is None or version <= item.version_at_open:
            raise StateConflict(_("客户资料自核查开始以来未修改，请先更正再提交"))
    return _done(actor, item, ItemState.CORRECTED, cleaned.get("note", ""))


@transaction.atomic
def round_remind(*, actor: User, round_id: int) -> int:
    """Remind every rep with records still waiting (one reminder each, with their count)."""
    require(actor, MANAGE_VERIFICATION)
    round_ = selectors.round_get(actor=actor, round_id=round_id)
    if round_ is None:
        raise NotFound()
    if round_.state != RoundState.OPEN:
        raise StateConflict(_("该核查轮次已关闭"))
    waiting = Counter(
        dict(
            VerificationItem.objects.filter(
                round=round_, state=ItemState.PENDING, rep__isnull=False
            )
            .values("rep_id")
            .annotate(n=Count("id"))
            .values_list("rep_id", "n")
        )
    )
    told = _notify(round_, waiting, _("数据核查「%(title)s」提醒：还有 %(n)d 个客户待核查"))
    audit.record(actor=actor, verb="verification.reminded", obj=round_, details={"notified": told})
    return told


@transaction.atomic
def round_close(*, actor: User, round_id: int) -> VerificationRound:
    """Close the round: what was not verified stays reported as not verified."""
    require(actor, MANAGE_VERIFICATION)
    round_ = VerificationRound.objects.select_for_update().filter(pk=round_id).first()
    if round_ is None or selectors.round_get(actor=actor, round_id=round_id) is None:
        raise NotFound()
    if round_.state != RoundState.OPEN:
        raise StateConflict(_("该核查轮次已关闭"))
    round_.state, round_.closed_by, round_.closed_at = RoundState.CLOSED, actor, timezone.now()
    round_.save(update_fields=["state", "closed_by", "closed_at"])
    totals = selectors.round_totals(round_)
    audit.record(
        actor=actor,
        verb="verification.closed",
        obj=round_,
        before={"state": RoundState.OPEN},
        after={"state": RoundState.CLOSED},
        details=totals,
    )
    return round_
