"""The reception desk's reads: the desk board (who serves, who is next, who follows, who is
away and what they are owed), the registrations, the daily summary (来电来访汇总表) and a rep's
record (credits and complaints). Each starts from ``restrict``."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_ROTATION, REGISTER_VISIT, VIEW_RECORD, VIEW_VISIT
from crm.core.errors import Invalid, NotFound
from crm.core.pagination import Page, decode_cursor, encode_cursor
from crm.core.permissions import in_departments, owned_by, require, restrict
from crm.customers import sources

from . import rotation
from .choices import Channel, SeatStatus, VisitKind
from .models import Complaint, Desk, SalesCredit, Seat, Visit

SUMMARY_MAX_DAYS = 366


@dataclass
class Board:
    """The desk screen: the seats in order, who is serving (接待中), who is next (at the desk,
    ready: 接待台) and who follows, who is away and the make-up turns they are owed."""

    desk: Desk
    seats: list[Seat]
    next: Seat | None
    follows: Seat | None
    serving: list[Seat] = field(default_factory=list)
    away: list[Seat] = field(default_factory=list)
    today: list[Visit] = field(default_factory=list)


def desks(*, actor: User, action: str = REGISTER_VISIT) -> QuerySet[Desk]:
    """The desks the actor may work at that have a rotation (and the actor's own, if any)."""
    seated = Desk.objects.filter(seats__isnull=False).distinct()
    return (
        restrict(Desk.objects.filter(pk__in=seated.values("pk")), actor, action)
        .select_related("department")
        .order_by("department__path")
    )


def default_desk_department(*, actor: User, action: str = REGISTER_VISIT) -> int | None:
    """The desk a page opens on: the actor's department's when it has a rotation, else the
    first desk with a rotation the actor may work at (a general manager in the head office),
    else the actor's department (where the first rotation will be set)."""
    own = (
        in_departments(Desk.objects.filter(seats__isnull=False), [actor.department_id])
        .values_list("department_id", flat=True)
        .first()
        if actor.department_id
        else None
    )
    if own is not None:
        return own
    first = desks(actor=actor, action=action).values_list("department_id", flat=True).first()
    return first if first is not None else actor.department_id


def board(*, desk: Desk, actor: User) -> Board:
    seats = list(Seat.objects.filter(desk=desk).select_related("user").order_by("position", "id"))
    line = rotation.line(seats, desk.last_position, 2)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    today = list(
        in_departments(
            restrict(Visit.objects.filter(at__gte=start), actor, VIEW_VISIT), [desk.department_id]
        )
        .select_related("served_by", "owner", "customer")
        .order_by("-at", "-id")[:50]
    )
    return Board(
        desk=desk,
        seats=seats,
        next=line[0] if line else None,  # type: ignore[arg-type]
        follows=line[1] if len(line) > 1 else None,  # type: ignore[arg-type]
        serving=[s for s in seats if s.status == SeatStatus.BUSY],
        away=[s for s in seats if s.status == SeatStatus.AWAY],
        today=today,
    )


def my_seats(*, actor: User) -> QuerySet[Seat]:
    """The actor's own places in rotations (a rep sets their own status)."""
    return owned_by(
        restrict(Seat.objects.all(), actor, MANAGE_ROTATION), [actor.pk]
    ).select_related("desk__department")


def seat_get(*, actor: User, seat_id: int) -> Seat:
    seat = restrict(Seat.objects.all(), actor, MANAGE_ROTATION).filter(pk=seat_id).first()
    if seat is None:
        require(actor, MANAGE_ROTATION)
        raise NotFound()
    return seat


def rotation_candidates(*, desk: Desk) -> QuerySet[User]:
    """The reps a desk's rotation may hold: active users of its department who may own
    customers."""
    from crm.accounts.roles import OWN_CUSTOMER

    users = User.objects.filter(is_active=True, role__grants__has_key=OWN_CUSTOMER)
    return in_departments(users, [desk.department_id]).order_by("id")


def _day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if end < start:
        raise Invalid(fields={"end": "结束日期不能早于开始日期"})
    if (end - start).days >= SUMMARY_MAX_DAYS:
        raise Invalid(fields={"end": "一次最多汇总一年"})
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return lo, hi


def visit_list(
    *, actor: User, start: dt.date, end: dt.date, department_id: int | None = None
) -> QuerySet[Visit]:
    lo, hi = _day_range(start, end)
    qs = restrict(Visit.objects.filter(at__gte=lo, at__lt=hi), actor, VIEW_VISIT)
    if department_id is not None:
        qs = in_departments(qs, [department_id])
    return qs.select_related("served_by", "owner", "customer", "department", "registered_by")


@dataclass
class Summary:
    """来电来访汇总表: registrations per day, per rep, per channel and per source, first visits
    against returns."""

    start: dt.date
    end: dt.date
    days: list[dict[str, Any]]
    reps: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    total: dict[str, int]


def _split(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = defaultdict(lambda: Counter())  # type: ignore[arg-type]
    for row in rows:
        bucket = out[row[key]]
        bucket["total"] += row["n"]
        bucket[row["kind"]] += row["n"]
        bucket[row["channel"]] += row["n"]
    return out


def _counts(bucket: dict[str, int]) -> dict[str, int]:
    return {
        "total": bucket.get("total", 0),
        "first": bucket.get(VisitKind.FIRST, 0),
        "returning": bucket.get(VisitKind.RETURNING, 0),
        "visit": bucket.get(Channel.VISIT, 0),
        "call": bucket.get(Channel.CALL, 0),
    }


def daily_summary(
    *, actor: User, start: dt.date, end: dt.date, department_id: int | None = None
) -> Summary:
    qs = visit_list(actor=actor, start=start, end=end, department_id=department_id)
    from django.db.models.functions import TruncDate

    tz = timezone.get_current_timezone()
    rows = list(
        qs.order_by()
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values("day", "served_by", "channel", "source", "kind")
        .annotate(n=Count("id"))
    )
    by_day, by_rep = _split(rows, "day"), _split(rows, "served_by")
    by_channel, by_source = _split(rows, "channel"), _split(rows, "source")
    users = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by_rep if k])}
    names = sources.source_names(by_source.keys())
    total: Counter[str] = Counter()
    for bucket in by_day.values():
        total.update(bucket)
    return Summary(
        start=start,
        end=end,
        days=[{"day": d, **_counts(by_day[d])} for d in sorted(by_day)],
        reps=sorted(
            (
                {
                    "user_id": k,
                    "name": users[k].display_name if k in users else "—",
                    **_counts(b),
                }
                for k, b in by_rep.items()
            ),
            key=lambda r: (-r["total"], r["name"]),
        ),
        channels=[
            {"channel": c, "label": str(Channel(c).label), **_counts(by_channel[c])}
            for c in Channel.values
            if c in by_channel
        ],
        sources=sorted(
            (
                {"source": k, "label": names.get(k, k) if k else "—", **_counts(b)}
                for k, b in by_source.items()
            ),
            key=lambda r: -r["total"],
        ),
        total=_counts(total),
    )


@dataclass
class RepRecord:
    """A rep's reception record: receptions, the credits of deals and the complaints with their
    findings and penalties."""

    user: User
    served: int
    courtesy: int
    credits: list[SalesCredit]
    credit_total: Decimal
    complaints: list[Complaint]


def rep_record(*, actor: User, user_id: int) -> RepRecord:
    require(actor, VIEW_RECORD)
    user = User.objects.filter(pk=user_id).select_related("department").first()
    if user is None:
        raise NotFound()
    credits = owned_by(restrict(SalesCredit.objects.all(), actor, VIEW_RECORD), [user.pk])
    complaints = owned_by(restrict(Complaint.objects.all(), actor, VIEW_RECORD), [user.pk])
    visits = owned_by(restrict(Visit.objects.all(), actor, VIEW_VISIT), [user.pk])
    if user.pk != actor.pk and not (
        credits.exists() or complaints.exists() or _may_see_user(actor, user)
    ):
        raise NotFound()
    served = visits.aggregate(n=Count("id"))["n"]
    courtesy = visits.filter(assignment="courtesy").count()
    return RepRecord(
        user=user,
        served=served,
        courtesy=courtesy,
        credits=list(credits.select_related("customer")[:200]),
        credit_total=credits.aggregate(s=Sum("share"))["s"] or Decimal("0"),
        complaints=list(complaints.select_related("complainant", "decided_by", "customer")),
    )


def _may_see_user(actor: User, user: User) -> bool:
    probe = SalesCredit(user=user, department=user.department)
    from crm.core.permissions import allows

    return allows(actor, VIEW_RECORD, probe)


def complaint_list(*, actor: User, open_only: bool = False) -> QuerySet[Complaint]:
    qs = restrict(Complaint.objects.all(), actor, VIEW_RECORD)
    if open_only:
        qs = qs.filter(state="open")
    return qs.select_related("accused", "complainant", "decided_by", "customer")


def credit_list(*, actor: User) -> QuerySet[SalesCredit]:
    return restrict(SalesCredit.objects.all(), actor, VIEW_RECORD).select_related(
        "user", "customer"
    )


def visit_page(
    *,
    actor: User,
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Visit]:
    """Registrations of a period, newest first, a page at a time (keyset on id)."""
    qs = visit_list(actor=actor, start=start, end=end, department_id=department_id)
    after = decode_cursor(cursor)
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs.order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].pk) if more and rows else None)


def colleagues(*, actor: User) -> QuerySet[User]:
    """The reps of the actor's showroom (the department), others than the actor: whom a
    complaint may name."""
    from crm.accounts.roles import OWN_CUSTOMER

    if actor.department_id is None:
        return User.objects.none()
    users = User.objects.filter(is_active=True, role__grants__has_key=OWN_CUSTOMER)
    return in_departments(users, [actor.department_id]).exclude(pk=actor.pk).order_by("id")
