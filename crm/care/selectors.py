"""Reads of satisfaction surveys, 整改 actions and customer care, through ``restrict()``.

A round is the company's (anyone who reads survey results sees the months); its calls are each
rep's (``care.view_survey``: a rep their own customers', a manager the department's, the service
department all). ``satisfaction_by_rep`` is the per-rep table of a month (抽查内容纳入销售顾问
日常工作考核): the rows follow ``crm.reports.scope`` with ``care.view_survey`` (a rep sees one
row, a manager the department's people), the figures are the calls counted for each rep.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, IntegerField, Q, QuerySet
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_ACTION, RECORD_CARE, VIEW_CARE, VIEW_CUSTOMER, VIEW_SURVEY
from crm.core.errors import NotFound
from crm.core.permissions import mine, owned_by, require, restrict
from crm.customers.choices import Category
from crm.customers.models import Contact, Customer
from crm.reports.scope import report_scope

from .models import (
    ActionState,
    Birthday,
    CallState,
    CampaignTarget,
    CareAction,
    CareCampaign,
    SurveyCall,
    SurveyRound,
)

LIST_MAX = 500
REMINDERS_MAX = 500  # rows of one reminder list


# --- surveys --------------------------------------------------------------------------------


def round_list(*, actor: User, limit: int = 36) -> list[SurveyRound]:
    require(actor, VIEW_SURVEY)
    return list(SurveyRound.objects.select_related("form", "drawn_by").order_by("-month")[:limit])


def round_get(*, actor: User, round_id: int) -> SurveyRound:
    require(actor, VIEW_SURVEY)
    found = SurveyRound.objects.select_related("form", "drawn_by").filter(pk=round_id).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class RoundCounts:
    total: int
    pending: int
    answered: int
    unreachable: int
    declined: int
    problems: int
    average: Decimal | None


def round_counts(*, actor: User, survey: SurveyRound) -> RoundCounts:
    """The round's calls the actor sees, by state, with the average score."""
    calls = restrict(survey.calls.all(), actor, VIEW_SURVEY)
    row = calls.aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(state=CallState.PENDING)),
        answered=Count("pk", filter=Q(state=CallState.ANSWERED)),
        unreachable=Count("pk", filter=Q(state=CallState.UNREACHABLE)),
        declined=Count("pk", filter=Q(state=CallState.DECLINED)),
        problems=Count("pk", filter=Q(problem=True)),
        average=Avg("score"),
    )
    average = row.pop("average")
    return RoundCounts(
        **row,
        average=Decimal(str(average)).quantize(Decimal("0.01")) if average is not None else None,
    )


def call_list(
    *, actor: User, survey: SurveyRound, state: str = "", limit: int = LIST_MAX
) -> list[SurveyCall]:
    """The round's calls the actor sees, in the order drawn."""
    calls = restrict(survey.calls.all(), actor, VIEW_SURVEY)
    if state:
        calls = calls.filter(state=state)
    return list(calls.select_related("customer", "rep", "answered_by").order_by("position")[:limit])


def call_get(*, actor: User, call_id: int) -> SurveyCall:
    require(actor, VIEW_SURVEY)
    call = (
        restrict(SurveyCall.objects.all(), actor, VIEW_SURVEY)
        .select_related("round__form", "customer", "rep", "answered_by", "response")
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise NotFound()
    return call


def call_actions(*, call: SurveyCall) -> list[CareAction]:
    """The 整改 a call opened (shown with the call, to whoever sees the call)."""
    return list(call.actions.select_related("responsible").order_by("id"))


def action_list(
    *, actor: User, state: str = "", mine: bool = False, limit: int = LIST_MAX
) -> list[CareAction]:
    """The 整改 actions the actor sees (their own as responsible person; the department's; all),
    open ones first, soonest due first."""
    require(actor, VIEW_SURVEY)
    qs = restrict(CareAction.objects.all(), actor, VIEW_SURVEY)
    if state:
        qs = qs.filter(state=state)
    if mine:
        qs = owned_by(qs, [actor.pk])
    return list(
        qs.select_related("customer", "responsible", "call__round").order_by(
            "state", "due_on", "id"
        )[:limit]
    )


def action_get(*, actor: User, action_id: int) -> CareAction:
    require(actor, VIEW_SURVEY)
    found = (
        restrict(CareAction.objects.all(), actor, VIEW_SURVEY)
        .select_related("customer", "responsible", "opened_by", "closed_by", "call__round")
        .filter(pk=action_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def responsibles(*, actor: User) -> list[User]:
    """Whom the actor may make responsible for 整改: the active people of their scope."""
    people = restrict(User.objects.filter(is_active=True), actor, MANAGE_ACTION)
    return list(people.select_related("department").order_by("department__path", "id"))


def open_actions(*, actor: User) -> int:
    """How many actions wait for the actor as responsible person."""
    return mine(CareAction.objects.filter(state=ActionState.OPEN), actor).count()


@dataclass
class RepRow:
    user_id: int
    name: str
    department: str
    sampled: int = 0
    answered: int = 0
    unreachable: int = 0
    problems: int = 0
    average: Decimal | None = None
    open_actions: int = 0


def satisfaction_by_rep(
    *, actor: User, month: dt.date, department_id: int | None = None
) -> list[RepRow]:
    """满意度 per rep for a month: customers drawn, answered, not reached, problems, the average
    score and the 整改 actions still open (for the rep as responsible person)."""
    scope = report_scope(actor=actor, department_id=department_id, action=VIEW_SURVEY)
    staff = scope.staff_ids
    calls = owned_by(
        restrict(SurveyCall.objects.all(), actor, VIEW_SURVEY).filter(round__month=month), staff
    )
    figures = {
        r["rep_id"]: r
        for r in calls.values("rep_id").annotate(
            sampled=Count("pk"),
            answered=Count("pk", filter=Q(state=CallState.ANSWERED)),
            unreachable=Count("pk", filter=Q(state=CallState.UNREACHABLE)),
            problems=Count("pk", filter=Q(problem=True)),
            average=Avg("score"),
        )
    }
    actions = dict(
        owned_by(
            restrict(CareAction.objects.all(), actor, VIEW_SURVEY).filter(call__round__month=month),
            staff,
        )
        .exclude(state=ActionState.CLOSED)
        .values("responsible_id")
        .annotate(n=Count("pk"))
        .values_list("responsible_id", "n")
    )
    rows = []
    for user in scope.rows(set(figures) | set(actions)):
        got = figures.get(user.pk, {})
        average = got.get("average")
        rows.append(
            RepRow(
                user_id=user.pk,
                name=user.display_name,
                department=user.department.name if user.department else "",
                sampled=got.get("sampled", 0),
                answered=got.get("answered", 0),
                unreachable=got.get("unreachable", 0),
                problems=got.get("problems", 0),
                average=Decimal(str(average)).quantize(Decimal("0.01"))
                if average is not None
                else None,
                open_actions=actions.get(user.pk, 0),
            )
        )
    return rows


# --- care -----------------------------------------------------------------------------------


def campaign_list(*, actor: User, limit: int = 100) -> list[CareCampaign]:
    require(actor, VIEW_CARE)
    return list(CareCampaign.objects.select_related("created_by").order_by("-id")[:limit])


def campaign_counts(*, actor: User, campaign: CareCampaign) -> dict[str, int]:
    """The campaign's customers the actor works, by state."""
    rows = restrict(campaign.targets.all(), actor, RECORD_CARE)
    counts = dict(rows.values("state").annotate(n=Count("pk")).values_list("state", "n"))
    return {s: counts.get(s, 0) for s in ("pending", "contacted", "responded", "declined")}


# --- the window -----------------------------------------------------------------------------


def window(start: dt.date, days: int) -> list[dt.date]:
    """The ``days`` days from ``start`` (today first)."""
    return [start + dt.timedelta(days=n) for n in range(days)]


def month_days(days: list[dt.date]) -> dict[int, dt.date]:
    """month * 100 + day → the date it falls on in the window; 29 February falls on 28 February
    in a year without it."""
    keys = {d.month * 100 + d.day: d for d in days}
    for d in days:
        if d.month == 2 and d.day == 28 and not calendar.isleap(d.year):
            keys.setdefault(229, d)
    return keys


@dataclass(frozen=True)
class Reminder:
    on: dt.date  # the day it falls on in the window
    customer: Customer
    who: str  # the customer's name, or the contact's
    contact: Contact | None
    years: int | None  # the age reached, or the years since the deal (None: year unknown)


def birthdays(*, actor: User, days: int, today: dt.date | None = None) -> list[Reminder]:
    """The birthdays in the next ``days`` days of the customers (and their contacts) the actor
    may see, soonest first."""
    require(actor, VIEW_CARE)
    start = today or timezone.localdate()
    keys = month_days(window(start, days))
    visible = restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER)
    rows = (
        Birthday.objects.filter(month_day__in=list(keys), customer__in=visible.values("pk"))
        .select_related("customer", "contact", "customer__owner")
        .order_by("month_day", "id")[: REMINDERS_MAX * 2]
    )
    out = [
        Reminder(
            on=keys[b.month_day],
            customer=b.customer,
            who=b.contact.name if b.contact else b.customer.name,
            contact=b.contact,
            years=keys[b.month_day].year - b.year if b.year else None,
        )
        for b in rows
    ]
    return sorted(out, key=lambda r: (r.on, r.customer.pk))[:REMINDERS_MAX]


def anniversaries(*, actor: User, days: int, today: dt.date | None = None) -> list[Reminder]:
    """The anniversaries of the deal (成交周年, one year and more) in the next ``days`` days of
    the retained customers the actor may see, soonest first."""
    require(actor, VIEW_CARE)
    start = today or timezone.localdate()
    keys = month_days(window(start, days))
    md = ExpressionWrapper(
        ExtractMonth("deal_on") * 100 + ExtractDay("deal_on"), output_field=IntegerField()
    )
    rows = (
        restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER)
        .filter(category=Category.RETAINED, deal_on__isnull=False, deal_on__lt=start)
        .annotate(md=md)
        .filter(md__in=list(keys))
        .select_related("owner")
        .order_by("md", "id")[: REMINDERS_MAX * 2]
    )
    out = []
    for c in rows:
        on = keys[c.md]  # type: ignore[attr-defined]
        assert c.deal_on is not None
        if on.year > c.deal_on.year:
            out.append(Reminder(on, c, c.name, None, on.year - c.deal_on.year))
    return sorted(out, key=lambda r: (r.on, r.customer.pk))[:REMINDERS_MAX]


def birthdays_of(*, actor: User, customer_id: int) -> list[Birthday]:
    """A customer's birthdays (its own first), for the actor who may see the customer."""
    visible = restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER).filter(pk=customer_id)
    return list(
        Birthday.objects.filter(customer__in=visible.values("pk"))
        .select_related("contact")
        .order_by(F("contact_id").asc(nulls_first=True))
    )


def targets(
    *, actor: User, campaign_id: int, state: str = ""
) -> tuple[CareCampaign, QuerySet[CampaignTarget]]:
    """A campaign and its customers the actor works (their own scope), in order."""
    require(actor, VIEW_CARE)
    campaign = CareCampaign.objects.select_related("created_by").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    rows = restrict(campaign.targets.all(), actor, RECORD_CARE).select_related(
        "customer", "customer__owner", "updated_by"
    )
    if state:
        rows = rows.filter(state=state)
    return campaign, rows.order_by("id")
