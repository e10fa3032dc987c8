"""Writes of customer care (客户关怀: 积极开展以客户关怀为主题，以提高客户满意度为目标的各项活动).

Birthdays (``Birthday``: of a customer, or of one of its contacts; the customer record has none)
are set by whoever may edit the customer; the reminder lists that read them, and the deal
anniversaries, are ``selectors.birthdays`` and ``selectors.anniversaries``.

Campaigns (``CareCampaign``): a care activity to a segment of the customer list (its filter as
on the list page, or a saved view), its customers fixed when it starts as the starter sees the
list; each target's response (contacted, responded, declined, a note) is recorded by whoever
may work that customer (``care.record_care`` in the customer's scope: a rep their own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import (
    CHANGE_CUSTOMER,
    MANAGE_CAMPAIGN,
    RECORD_CARE,
    VIEW_CUSTOMER,
)
from crm.core import bulk
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import require, restrict
from crm.customers import listviews
from crm.customers import selectors as customer_selectors
from crm.customers.models import Contact, Customer
from crm.governance import audit

from .inputs import BirthdayInput, CampaignInput, TargetInput
from .models import Birthday, CampaignState, CampaignTarget, CareCampaign, TargetState

CAMPAIGN_MAX = 20000  # customers in one campaign
REMINDERS_MAX = 500  # rows of one reminder list


# --- birthdays ------------------------------------------------------------------------------


def _editable(actor: User, customer_id: int) -> Customer:
    require(actor, CHANGE_CUSTOMER)
    customer = (
        restrict(Customer.objects.alive(), actor, CHANGE_CUSTOMER).filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound()
    return customer


@transaction.atomic
def birthday_set(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> Birthday:
    """Set the birthday of a customer the actor may edit, or of one of its contacts."""
    customer = _editable(actor, customer_id)
    cleaned = validate(BirthdayInput, data)
    month, day, year = cleaned["month"], cleaned["day"], cleaned.get("year")
    try:
        dt.date(year or 2000, month, day)  # 2000: a leap year, so 02-29 without a year is a date
    except ValueError as exc:
        raise Invalid(fields={"day": _("日期无效")}) from exc
    if year and dt.date(year, month, day) > timezone.localdate():
        raise Invalid(fields={"year": _("生日不能晚于今天")})
    contact = None
    if cleaned.get("contact") is not None:
        contact = Contact.objects.filter(pk=cleaned["contact"], customer=customer).first()
        if contact is None:
            raise Invalid(fields={"contact": _("联系人不存在")})
    found = Birthday.objects.filter(customer=customer, contact=contact).first()
    before = None if found is None else {"month": found.month, "day": found.day, "year": found.year}
    row = found or Birthday(customer=customer, contact=contact)
    row.month, row.day, row.year = month, day, year
    row.month_day = month * 100 + day
    row.save()
    audit.record(
        actor=actor,
        verb="customer.birthday_set",
        obj=customer,
        before=before,
        after={"month": month, "day": day, "year": year},
        details={"contact": contact.pk if contact else None},
    )
    return row


# --- campaigns ------------------------------------------------------------------------------


def _segment(actor: User, cleaned: Mapping[str, Any]) -> tuple[list[int], dict[str, Any]]:
    """The customers of the campaign as the actor sees the list now, and the words of it."""
    if cleaned.get("view") is not None:
        try:
            view = listviews.view_get(actor=actor, view_id=cleaned["view"])
        except NotFound as exc:
            raise Invalid(fields={"view": _("视图不存在")}) from exc
        params: dict[str, Any] = dict(view.params)
        criteria: dict[str, Any] = {"view": view.name, **params}
    else:
        params = {k: v for k, v in (cleaned.get("filter") or {}).items() if v not in ("", None)}
        criteria = {k: v for k, v in params.items() if v is not False}
    fields = customer_selectors.CustomerFilters.__dataclass_fields__
    kept = {k: v for k, v in params.items() if k in fields and k != "sort"}
    for flag in ("mine", "shared"):
        if flag in kept:
            kept[flag] = kept[flag] in (True, "1", "true", "on")
    if "owner" in kept and kept["owner"] not in (None, ""):
        try:
            kept["owner"] = int(kept["owner"])
        except (TypeError, ValueError):
            kept.pop("owner")
    filters = customer_selectors.CustomerFilters(**kept)
    ids = customer_selectors.customer_ids(actor=actor, filters=filters, limit=CAMPAIGN_MAX + 1)
    if len(ids) > CAMPAIGN_MAX:
        raise Invalid(
            fields={"filter": _("一次活动最多 %(n)s 位客户，请缩小范围") % {"n": CAMPAIGN_MAX}}
        )
    return ids, criteria


@transaction.atomic
def campaign_start(*, actor: User, data: Mapping[str, Any]) -> CareCampaign:
    """Start a care campaign to the customers of a list filter or saved view."""
    require(actor, MANAGE_CAMPAIGN)
    require(actor, VIEW_CUSTOMER)
    cleaned = validate(CampaignInput, data)
    ids, criteria = _segment(actor, cleaned)
    if not ids:
        raise Invalid(fields={"filter": _("没有符合条件的客户")})
    campaign = CareCampaign.objects.create(
        title=cleaned["title"],
        kind=cleaned.get("kind") or "other",
        description=cleaned.get("description", ""),
        criteria=criteria,
        target_count=len(ids),
        created_by=actor,
    )
    bulk.insert_rows(
        CampaignTarget,
        [
            {"campaign_id": campaign.pk, "customer_id": pk, "state": TargetState.PENDING}
            for pk in ids
        ],
        batch_size=5000,
    )
    audit.record(
        actor=actor,
        verb="care_campaign.started",
        obj=campaign,
        after={"title": campaign.title, "kind": campaign.kind, "criteria": criteria},
        details={"count": len(ids)},
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: User, campaign_id: int) -> CareCampaign:
    require(actor, MANAGE_CAMPAIGN)
    campaign = (
        restrict(CareCampaign.objects.all(), actor, MANAGE_CAMPAIGN)
        .select_for_update()
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise NotFound()
    if campaign.state == CampaignState.CLOSED:
        raise StateConflict(_("活动已结束"))
    campaign.state = CampaignState.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    audit.record(actor=actor, verb="care_campaign.closed", obj=campaign)
    return campaign


@transaction.atomic
def target_record(
    *, actor: User, campaign_id: int, target_id: int, data: Mapping[str, Any]
) -> CampaignTarget:
    """What came of one customer of a campaign (by whoever works that customer)."""
    require(actor, RECORD_CARE)
    target = (
        restrict(CampaignTarget.objects.all(), actor, RECORD_CARE)
        .select_for_update(of=("self",))
        .select_related("campaign")
        .filter(pk=target_id, campaign_id=campaign_id)
        .first()
    )
    if target is None:
        raise NotFound()
    if target.campaign.state == CampaignState.CLOSED:
        raise StateConflict(_("活动已结束"))
    cleaned = validate(TargetInput, data)
    before = {"state": target.state, "note": target.note}
    target.state = cleaned["state"]
    target.note = cleaned.get("note", "")
    target.updated_at = timezone.now()
    target.updated_by = actor
    target.save(update_fields=["state", "note", "updated_at", "updated_by"])
    audit.record(
        actor=actor,
        verb="care_campaign.responded",
        obj=target.campaign,
        before=before,
        after={"state": target.state, "note": target.note},
        details={"customer": target.customer_id, "target": target.pk},
    )
    return target
