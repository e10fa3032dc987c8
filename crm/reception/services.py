"""The reception desk's writes: the phone lookup (a registered read), a registration with its
assignment by the rules of 顾客门户管理规定, the reps' status in the rotation and its order, the
sales-credit ledger of deals (五五分成) and poaching complaints with the manager's finding.

A registration locks its desk's row first (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE
transactions serialise writers anyway), so two registrations at the same moment are served one
after the other and never take the same turn; the turn number is also unique per desk in the
database. The rotation lives in the database (seats, the desk's last position and owed make-up
turns), so it survives restarts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Department, User
from crm.accounts.roles import (
    DECIDE_COMPLAINT,
    EXPORT_REPORTS,
    FILE_COMPLAINT,
    LOOKUP_CUSTOMER,
    MANAGE_ROTATION,
    OWN_CUSTOMER,
    REGISTER_VISIT,
    VIEW_VISIT,
)
from crm.activities.services import notify
from crm.core.errors import Conflict, Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import has_action, in_departments, owned_by, require, restrict
from crm.core.validators import normalize_phone
from crm.customers import sensitive
from crm.customers import services as customers
from crm.customers.choices import Category
from crm.customers.models import Customer, LifecycleEvent
from crm.governance import audit
from crm.referrals.services import referral_link_at_registration
from crm.reports.services import ExportFile

from . import rotation
from .choices import Assignment, ComplaintState, Penalty, SeatStatus, VisitKind
from .inputs import (
    ComplaintDecisionInput,
    ComplaintInput,
    LookupInput,
    RotationInput,
    SeatStatusInput,
    VisitInput,
)
from .models import Complaint, Desk, SalesCredit, Seat, Visit

HALF = Decimal("0.50")
WHOLE = Decimal("1.00")


# --- desks ----------------------------------------------------------------------------------


def _department_id(actor: User, department_id: int | None) -> int:
    if department_id is None:
        if actor.department_id is None:
            raise Invalid(fields={"department": _("请选择接待台（部门）")})
        return actor.department_id
    return department_id


def _desk(actor: User, action: str, department_id: int | None, *, lock: bool) -> Desk:
    require(actor, action)
    wanted = _department_id(actor, department_id)
    desks = in_departments(Desk.objects.select_related("department"), [wanted])
    desk = (desks.select_for_update(of=("self",)) if lock else desks).first()
    if desk is None:
        department = Department.objects.filter(pk=wanted).first()
        if department is None:
            raise NotFound()
        Desk.objects.get_or_create(department=department)
        desk = (desks.select_for_update(of=("self",)) if lock else desks).get()
    require(actor, action, desk)
    return desk


def desk_for(*, actor: User, action: str, department_id: int | None = None) -> Desk:
    """The desk of ``department_id`` (default: the actor's department), created with its
    department; 403 without ``action``, 404 when the desk is outside its scope."""
    return _desk(actor, action, department_id, lock=False)


def _locked_desk(actor: User, action: str, department_id: int | None) -> Desk:
    """The desk, its row locked until the transaction ends: one writer per desk at a time."""
    return _desk(actor, action, department_id, lock=True)


# --- the lookup (来过吗？谁接待过？) -----------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    """What the desk may know of a returning customer: its number, its owner and its last
    visit. Never the phone, the file or the history."""

    customer_id: int
    number: str
    owner_id: int | None
    owner_name: str
    owner_department: str
    last_visit_at: dt.datetime | None


def _find(actor: User, query: str) -> tuple[Customer | None, str]:
    """The customer a phone number (any way it is written) or a customer number names, and
    what the log may say of the query."""
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, LOOKUP_CUSTOMER)
    qs = qs.select_related("owner__department")
    try:
        phone = normalize_phone(query)
    except ValueError:
        number = query.strip().upper()
        return qs.filter(number=number).first(), number
    return qs.filter(sensitive.phone_lookup(phone)).first(), customers.redact_query(phone)


def _result(customer: Customer) -> LookupResult:
    last = Visit.objects.filter(customer=customer).order_by("-at").values_list("at", flat=True)
    owner = customer.owner
    return LookupResult(
        customer_id=customer.pk,
        number=customer.number or "",
        owner_id=customer.owner_id,
        owner_name=owner.display_name if owner else "",
        owner_department=owner.department.name if owner and owner.department else "",
        last_visit_at=last.first() or customer.last_contact_at,
    )


def customer_lookup(*, actor: User, data: Mapping[str, Any]) -> LookupResult | None:
    """Has this customer been served before, and by whom? By phone or customer number; the
    lookup is logged (who asked for which number, and whether it matched)."""
    require(actor, LOOKUP_CUSTOMER)
    customer, logged = _find(actor, validate(LookupInput, data)["query"])
    audit.record(
        actor=actor,
        verb="reception.lookup",
        obj=customer,
        object_type="" if customer else Customer._meta.label_lower,
        details={"query": logged, "found": customer is not None},
    )
    return _result(customer) if customer else None


# --- registration ---------------------------------------------------------------------------


def _seats(desk: Desk) -> list[Seat]:
    return list(
        Seat.objects.select_for_update()
        .filter(desk=desk)
        .select_related("user")
        .order_by("position", "id")
    )


def _set_status(seat: Seat, status: str, now: dt.datetime) -> None:
    if seat.status != status:
        seat.status, seat.status_since = status, now
        seat.version += 1
        seat.save(update_fields=["status", "status_since", "version", "updated_at"])


@dataclass
class _Decision:
    assignment: str
    owner: User
    served_by: User | None
    turn: rotation.Turn | None = None


def _seat_of(seats: list[Seat], user: User | None) -> Seat | None:
    return next((s for s in seats if user is not None and s.user_id == user.pk), None)


def _rotation_turn(desk: Desk, seats: list[Seat]) -> rotation.Turn:
    turn = rotation.next_turn(seats, desk.last_position)
    if turn is None:
        raise Conflict(_("没有在岗且空闲的销售顾问：请等销售顾问接待完毕，或由客户指定销售顾问"))
    return turn


def _helper(actor: User, desk: Desk, seats: list[Seat], helper_id: int | None) -> User | None:
    """Who serves a returning customer whose owner is not free: the rep the desk chose, or
    the rep next in line (如果有其他销售上轮到的销售员应积极主动地接待客户); nobody when no rep
    is free (the owner is told)."""
    if helper_id is not None:
        seat = next((s for s in seats if s.user_id == helper_id), None)
        if seat is None or seat.status != SeatStatus.ON_DUTY:  # as the rotation stands now
            raise StateConflict(fields={"helper": _("该销售顾问不在岗或正在接待")})
        return seat.user
    turn = rotation.next_turn(seats, desk.last_position)
    return turn.seat.user if turn else None  # type: ignore[attr-defined]


def _decide(
    actor: User,
    desk: Desk,
    seats: list[Seat],
    customer: Customer | None,
    cleaned: Mapping[str, Any],
) -> _Decision:
    if customer is not None and customer.owner is not None:
        owner = customer.owner
        seat = _seat_of(seats, owner)
        if seat is not None and seat.status == SeatStatus.ON_DUTY:
            return _Decision(Assignment.OWNER, owner, owner)
        helper = _helper(actor, desk, seats, cleaned.get("helper"))
        if helper is None or helper.pk == owner.pk:
            return _Decision(Assignment.OWNER, owner, None)
        return _Decision(Assignment.COURTESY, owner, helper)
    named_id = cleaned.get("named_rep")
    if named_id is not None:
        named = _named_rep(actor, named_id)
        return _Decision(Assignment.NAMED, named, named)
    turn = _rotation_turn(desk, seats)
    user: User = turn.seat.user  # type: ignore[attr-defined]
    return _Decision(Assignment.MAKE_UP if turn.make_up else Assignment.ROTATION, user, user, turn)


def _named_rep(actor: User, user_id: int) -> User:
    named = User.objects.filter(pk=user_id, is_active=True).first()
    if named is None or not has_action(named, OWN_CUSTOMER):
        raise Invalid(fields={"named_rep": _("该用户不能接待客户")})
    return named


def _take_turn(desk: Desk, turn: rotation.Turn) -> int:
    """Apply the rotation's decision: a make-up turn is paid back; a regular turn moves the
    rotation on, and every rep it passed while away on business is owed one."""
    seat: Seat = turn.seat  # type: ignore[assignment]
    if turn.make_up:
        seat.owed -= 1
        seat.save(update_fields=["owed", "updated_at"])
    else:
        desk.last_position = seat.position
        for away in turn.passed_away:
            passed: Seat = away  # type: ignore[assignment]
            passed.owed += 1
            passed.save(update_fields=["owed", "updated_at"])
    desk.turns += 1
    desk.save(update_fields=["last_position", "turns", "updated_at"])
    return desk.turns


def _customer(actor: User, cleaned: Mapping[str, Any]) -> Customer | None:
    """The returning customer: the one the lookup found (by id) or the phone's."""
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, LOOKUP_CUSTOMER)
    if cleaned.get("customer") is not None:
        found = qs.select_for_update().filter(pk=cleaned["customer"]).first()
        if found is None:
            raise Invalid(fields={"customer": _("找不到该客户")})
        return found
    if cleaned.get("phone"):
        return qs.select_for_update().filter(sensitive.phone_lookup(cleaned["phone"])).first()
    return None


def _new_customer(actor: User, owner: User, cleaned: Mapping[str, Any]) -> Customer:
    data = {
        "name": cleaned["name"],
        "phone": cleaned.get("phone", ""),
        "source": cleaned.get("source", ""),
        "needs": cleaned.get("interest", ""),
        "notes": cleaned.get("notes", ""),
        "owner": owner.pk,
    }
    try:
        return customers.customer_create(actor=actor, data=data)
    except Invalid as exc:
        if "owner" in exc.fields:  # the named rep is beyond the desk's reach
            raise Invalid(fields={"named_rep": exc.fields["owner"]}) from exc
        raise


def _clean_visit(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = validate(VisitInput, data)
    now = timezone.now()
    at = cleaned.get("at") or now
    if at > now + dt.timedelta(minutes=5):
        raise Invalid(fields={"at": _("登记时间不能晚于现在")})
    if at < now - dt.timedelta(days=7):
        raise Invalid(fields={"at": _("只能补登 7 天内的来访")})
    cleaned["at"] = at
    return cleaned


@transaction.atomic
def visit_register(*, actor: User, data: Mapping[str, Any]) -> Visit:
    """Register a walk-in or a call and hand the customer to the right rep:

    - a returning customer goes to their owner and uses nobody's turn; when the owner is not
      free, a colleague serves them for the owner (代为接待, 义务接待 unless a deal closes that
      day, then the credit is split 50/50);
    - a first-time customer who named a rep at the door goes to that rep, outside the
      rotation; any other first-time customer takes the rotation's next turn (a make-up turn
      owed first), whoever may know them.
    The rep is told at once; the registration is audited."""
    require(actor, REGISTER_VISIT)
    cleaned = _clean_visit(data)
    desk = _locked_desk(actor, REGISTER_VISIT, cleaned.get("department"))
    seats = _seats(desk)
    customer = _customer(actor, cleaned)
    returning = customer is not None
    # a returning customer nobody owns (back in a pool) is assigned like a new one
    decision = _decide(actor, desk, seats, customer, cleaned)
    turn_no = _take_turn(desk, decision.turn) if decision.turn is not None else None
    if customer is None:
        customer = _new_customer(actor, decision.owner, cleaned)
        # 老带新: a card shown, or the old customer who came along, links them at the first visit
        if cleaned.get("referral_card") or cleaned.get("referrer"):
            referral_link_at_registration(
                actor=actor,
                customer=customer,
                card_code=cleaned.get("referral_card", ""),
                referrer_number=cleaned.get("referrer", ""),
            )
    elif customer.owner is None:
        customers.customer_owner_set(
            actor=actor,
            customer=customer,
            owner=decision.owner,
            reason=_("来访登记：无负责人的老客户按轮流接待分配"),
            verb="customer.assigned_at_reception",
        )
    visit = Visit.objects.create(
        department=desk.department,
        channel=cleaned["channel"],
        at=cleaned["at"],
        customer=customer,
        name=cleaned["name"],
        party_size=cleaned.get("party_size", 1),
        interest=cleaned.get("interest", ""),
        source=cleaned.get("source", ""),
        named_rep=decision.owner if decision.assignment == Assignment.NAMED else None,
        referral_card=cleaned.get("referral_card", ""),
        notes=cleaned.get("notes", ""),
        kind=VisitKind.RETURNING if returning else VisitKind.FIRST,
        assignment=decision.assignment,
        owner=decision.owner,
        served_by=decision.served_by,
        turn=turn_no,
        registered_by=actor,
    )
    served = _seat_of(seats, decision.served_by)
    if served is not None:
        _set_status(served, SeatStatus.BUSY, timezone.now())
    _tell(visit)
    audit.record(
        actor=actor,
        verb="visit.registered",
        obj=visit,
        after=visit.snapshot(),
        details={"customer": customer.pk, "assignment": visit.assignment, "turn": turn_no},
    )
    return visit


def _tell(visit: Visit) -> None:
    what = visit.get_channel_display()
    party = _("（%(n)d 人）") % {"n": visit.party_size} if visit.party_size > 1 else ""
    url = f"/customers/{visit.customer_id}/"
    if visit.served_by is not None:
        notify(
            user=visit.served_by,
            kind="reception",
            title=_("%(what)s客户：%(name)s%(party)s，请接待")
            % {"what": what, "name": visit.name, "party": party},
            url=url if visit.served_by_id == visit.owner_id else "",
            customer=visit.customer if visit.served_by_id == visit.owner_id else None,
        )
    if visit.owner is not None and visit.owner_id != visit.served_by_id:
        notify(
            user=visit.owner,
            kind="reception",
            title=_("您的客户 %(name)s %(what)s，由 %(helper)s 代为接待")
            % {
                "name": visit.name,
                "what": what,
                "helper": visit.served_by.display_name if visit.served_by else _("前台"),
            },
            url=url,
            customer=visit.customer,
        )


# --- the rotation ---------------------------------------------------------------------------


def _locked_seat(actor: User, seat_id: int) -> Seat:
    seat = (
        restrict(Seat.objects.all(), actor, MANAGE_ROTATION)
        .select_for_update()
        .filter(pk=seat_id)
        .first()
    )
    if seat is None:
        require(actor, MANAGE_ROTATION)
        raise NotFound()
    return seat


@transaction.atomic
def seat_set_status(*, actor: User, seat_id: int, data: Mapping[str, Any]) -> Seat:
    """A rep goes out on business, comes back, finishes with a customer or goes off. Back from
    business they keep the make-up turns they earned; going off (the day is over for them)
    forfeits them. Finishing ends their open receptions."""
    status = validate(SeatStatusInput, data)["status"]
    seat = _locked_seat(actor, seat_id)
    Desk.objects.select_for_update().filter(pk=seat.desk_id).first()  # one writer per desk
    seat.refresh_from_db()
    before = seat.snapshot()
    now = timezone.now()
    if seat.status == SeatStatus.BUSY and status != SeatStatus.BUSY:
        open_visits = Visit.objects.filter(finished_at__isnull=True)
        owned_by(open_visits, [seat.user_id]).update(finished_at=now)
    if status == SeatStatus.OFF and seat.owed:
        seat.owed = 0
        seat.save(update_fields=["owed", "updated_at"])
    _set_status(seat, status, now)
    if seat.snapshot() != before:
        audit.record(
            actor=actor, verb="seat.status_changed", obj=seat, before=before, after=seat.snapshot()
        )
    return seat


@transaction.atomic
def rotation_set(*, actor: User, data: Mapping[str, Any], department_id: int | None = None) -> Desk:
    """The rotation's order (排序表): the reps of the list, in that order; reps left out leave
    it. A rep must be an active user who may own customers, of the desk's department or one
    the actor may manage."""
    users = validate(RotationInput, data)["users"]
    if len(set(users)) != len(users):
        raise Invalid(fields={"users": _("同一销售顾问只能排一次")})
    desk = _locked_desk(actor, MANAGE_ROTATION, department_id)
    found = {u.pk: u for u in User.objects.filter(pk__in=users, is_active=True)}
    for pk in users:
        user = found.get(pk)
        if user is None or not has_action(user, OWN_CUSTOMER):
            raise Invalid(fields={"users": _("只能排入可接待客户的在职销售顾问")})
    current = {s.user_id: s for s in Seat.objects.select_for_update().filter(desk=desk)}
    before = [s.user_id for s in sorted(current.values(), key=lambda s: s.position)]
    leaving = [seat.pk for user_id, seat in current.items() if user_id not in users]
    Seat.objects.filter(pk__in=leaving).delete()
    for position, pk in enumerate(users):
        seat = current.get(pk)
        if seat is None:
            Seat.objects.create(
                desk=desk,
                department=desk.department,
                user=found[pk],
                position=position,
                status_since=timezone.now(),
            )
        elif seat.position != position:
            seat.position = position
            seat.save(update_fields=["position", "updated_at"])
    if desk.last_position >= len(users):
        desk.last_position = -1
        desk.save(update_fields=["last_position", "updated_at"])
    if before != users:
        audit.record(
            actor=actor,
            verb="rotation.changed",
            obj=desk,
            before={"users": before},
            after={"users": users},
        )
    return desk


# --- the sales-credit ledger (五五分成) --------------------------------------------------------


def _courtesy_that_day(customer: Customer, day: dt.date) -> Visit | None:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    visits = Visit.objects.filter(
        customer=customer,
        assignment=Assignment.COURTESY,
        at__gte=start,
        at__lt=start + dt.timedelta(days=1),
        served_by__isnull=False,
    )
    # a colleague's, not the owner's own
    return next((v for v in visits.order_by("-at") if v.served_by_id != customer.owner_id), None)


def credit_on_deal(*, customer: Customer, event: LifecycleEvent, actor: Any) -> None:
    """A deal closed (the customer became retained): the owner takes the credit, or shares it
    50/50 with the colleague who served the customer for them that day (奖金五五分成)."""
    if event.to_category != Category.RETAINED or customer.owner is None:
        return
    day = customer.deal_on or timezone.localdate(event.at)
    if SalesCredit.objects.filter(customer=customer, deal_on=day).exists():
        return
    courtesy = _courtesy_that_day(customer, day)
    shares: list[tuple[User, Decimal]] = [(customer.owner, WHOLE)]
    if courtesy is not None and courtesy.served_by is not None:
        shares = [(customer.owner, HALF), (courtesy.served_by, HALF)]
    for user, share in shares:
        credit = SalesCredit.objects.create(
            customer=customer,
            user=user,
            department=user.department,
            share=share,
            deal_on=day,
            visit=courtesy,
        )
        audit.record(
            actor=actor,
            verb="credit.recorded",
            obj=credit,
            after={"customer": customer.pk, "user": user.pk, "share": str(share)},
            reason=_("当日成交，与代为接待的同事五五分成") if courtesy else "",
        )


# --- poaching complaints (抢客、争客、怠慢客户) ------------------------------------------------


@transaction.atomic
def complaint_file(*, actor: User, data: Mapping[str, Any]) -> Complaint:
    """Record a complaint against a rep; the accused rep's department's managers decide it."""
    require(actor, FILE_COMPLAINT)
    cleaned = validate(ComplaintInput, data)
    accused = User.objects.filter(pk=cleaned["accused"]).select_related("department").first()
    if accused is None or accused.department_id is None or not has_action(accused, OWN_CUSTOMER):
        raise Invalid(fields={"accused": _("请选择被投诉的销售顾问")})
    if accused.pk == actor.pk:
        raise Invalid(fields={"accused": _("不能投诉自己")})
    customer = None
    if cleaned.get("customer") is not None:
        customer = (
            restrict(Customer.objects.filter(deleted_at__isnull=True), actor, LOOKUP_CUSTOMER)
            .filter(pk=cleaned["customer"])
            .first()
        )
    occurred_on = cleaned.get("occurred_on") or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise Invalid(fields={"occurred_on": _("发生日期不能晚于今天")})
    complaint = Complaint.objects.create(
        department_id=accused.department_id,
        kind=cleaned["kind"],
        complainant=actor,
        accused=accused,
        customer=customer,
        occurred_on=occurred_on,
        description=cleaned["description"],
    )
    audit.record(actor=actor, verb="complaint.filed", obj=complaint, after=complaint.snapshot())
    return complaint


@transaction.atomic
def complaint_decide(*, actor: User, complaint_id: int, data: Mapping[str, Any]) -> Complaint:
    """The manager's finding: upheld with the penalty of the seed's scale, or dismissed."""
    cleaned = validate(ComplaintDecisionInput, data)
    complaint = (
        restrict(Complaint.objects.all(), actor, DECIDE_COMPLAINT)
        .select_for_update()
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        require(actor, DECIDE_COMPLAINT)
        raise NotFound()
    if complaint.accused_id == actor.pk:
        raise Invalid(fields={"state": _("不能查处针对自己的投诉")})
    if complaint.state != ComplaintState.OPEN:
        raise Conflict(_("该投诉已查处"))
    state, penalty = cleaned["state"], cleaned.get("penalty", "")
    if state == ComplaintState.UPHELD and not penalty:
        raise Invalid(fields={"penalty": _("属实的投诉请选择处罚")})
    if state == ComplaintState.DISMISSED:
        penalty = Penalty.NONE
    before = complaint.snapshot()
    complaint.state, complaint.finding, complaint.penalty = state, cleaned["finding"], penalty
    complaint.decided_by, complaint.decided_at = actor, timezone.now()
    complaint.save()
    audit.record(
        actor=actor,
        verb="complaint.decided",
        obj=complaint,
        before=before,
        after=complaint.snapshot(),
        reason=complaint.finding,
    )
    notify(
        user=complaint.accused,
        kind="reception",
        title=_("投诉查处结果：%(state)s，%(penalty)s")
        % {"state": complaint.get_state_display(), "penalty": complaint.get_penalty_display()},
        url=f"/reception/record/{complaint.accused_id}/",
    )
    return complaint


# --- the daily summary as a file ------------------------------------------------------------


@transaction.atomic
def summary_export(
    *, actor: User, start: dt.date, end: dt.date, department_id: int | None = None
) -> ExportFile:
    """来电来访汇总表 as .xlsx, logged as an export (导出须登记)."""
    from crm.reports.scope import report_coverage

    from . import exports, selectors

    require(actor, EXPORT_REPORTS)
    summary = selectors.daily_summary(
        actor=actor, start=start, end=end, department_id=department_id
    )
    now = timezone.now()
    covers = report_coverage(actor=actor, department_id=department_id, action=VIEW_VISIT)
    content = exports.summary_workbook(
        summary, covers=covers, exported_by=actor.display_name, at=now
    )
    period = f"{start.isoformat()}_{end.isoformat()}"
    title = _("来电来访汇总表")
    audit.record(
        actor=actor,
        verb="report.exported",
        obj=actor,
        after={"report": "reception_summary", "period": period, "department": department_id},
        reason=f"{title} {period}",
    )
    return ExportFile(filename=f"{title}_{period}.xlsx", content=content)
