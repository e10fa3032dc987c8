"""The demo company (`crm demo`): departments, the roles of the seed's regulations, and about
2,000 customers made with Faker zh_CN, with two months of follow-up history, plans, deals with
their callbacks, and defeats with their analyses.

Fast, and the same records the services would leave: each customer is drawn, validated by the
services' own cleaning (``clean_customer_data``, ``clean_contact_data``, ``clean_followup``) and
checked for duplicates in memory, and its whole past is worked out in Python (follow-ups, the
lifecycle events of its entry and of a deal or defeat, the callbacks a deal schedules, a plan
ahead); then each kind of row is written with a few bulk INSERTs: customers, tags, contacts,
lifecycle events with the defeat analyses, follow-ups, plans, the search index
(``crm.customers.search``) and the audit rows each service writes (through the one audit
writer). The derived follow-up state (last contact, next plan, next due date) is computed by
``lifecycle.compute_due`` as the services do, and plans past their grace period become missed
through the service that the scheduler runs. Loading 2,000 customers one service call at a time
took 70-90 s; this takes a few seconds.

The demo lives in working hours: customers arrive, are called and visited between 09:00 and
18:00 local time, and plans are made for working hours ahead, whatever the time it is loaded.
A competitor in a defeat analysis is a brand with one of its own models (``BRANDS``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker

from crm.accounts import services as accounts
from crm.accounts.demo import DEMO_PASSWORD
from crm.accounts.models import Department, User
from crm.activities import services as activities
from crm.activities.choices import OPEN_STATUSES, FollowUpKind, PlanStatus
from crm.activities.models import FollowUp, Plan
from crm.core import context
from crm.core.errors import Invalid
from crm.core.validators import USCC_CHARS, credit_code_check_char, organization_key
from crm.customers import competitors, lifecycle, search, sensitive
from crm.customers import services as customers
from crm.customers.choices import Category, ContactRole, Grade, Kind
from crm.customers.models import (
    Contact,
    Customer,
    DefeatAnalysis,
    DefeatReason,
    LifecycleEvent,
    Tag,
)
from crm.customers.samples import MOBILE_PREFIXES
from crm.customers.sources import DEFAULT_SOURCES
from crm.governance import audit
from crm.products import services as products
from crm.products.models import Product
from crm.reports import contact_status

TAGS = ["VIP", "车展客户", "老客户推荐", "团购", "大客户", "价格敏感", "试驾过", "需回访"]
HOBBIES = ["高尔夫", "钓鱼", "书法", "茶道", "自驾游", "摄影", "篮球", "收藏", "登山", "围棋"]
NEEDS = [
    "想换一台七座SUV",
    "关注油耗和保养费用",
    "公司车队扩编，需要10台轻卡",
    "首付预算20万",
    "要求年底前交车",
    "比较了两个品牌，正在犹豫",
    "需要分期付款方案",
    "对新能源车型感兴趣",
]
CALL_NOTES = [
    "电话沟通配置和价格",
    "客户询问贷款方案",
    "约周末来店试驾",
    "发送了报价单",
    "客户在比较竞品",
    "客户表示还在考虑",
    "确认了颜色和交车时间",
]
# competitors of a defeat: each brand with models of its own
BRANDS: dict[str, list[str]] = {
    "丰田": ["凯美瑞", "卡罗拉", "RAV4荣放", "汉兰达"],
    "本田": ["雅阁", "思域", "CR-V", "奥德赛"],
    "大众": ["帕萨特", "迈腾", "途观L", "朗逸"],
    "比亚迪": ["汉", "唐", "宋PLUS", "秦PLUS"],
    "吉利": ["星瑞", "博越L", "星越L", "帝豪"],
    "长安": ["CS75 PLUS", "UNI-K", "逸动"],
}
# working hours, local time: when the demo's customers come, are called, visited and planned
WORK_START, WORK_END = dt.time(9), dt.time(18)
PLAN_SLOT_MINUTES = 30
CHUNK = 5000  # ids per IN (...) list

STEPS = [
    "部门和用户 / departments and users",
    "生成客户及其经历 / customers and their history",
    "写入客户、标签和联系人 / customers, tags, contacts",
    "写入跟进、计划、成交和战败 / follow-ups, plans, deals, defeats",
    "写入搜索索引 / search index",
    "写入操作日志 / audit log",
    "逾期计划和提醒 / missed plans and reminders",
]
Step = Callable[[str], AbstractContextManager[None]]


@contextmanager
def _quiet_step(label: str) -> Iterator[None]:
    yield


# --- users ----------------------------------------------------------------------------------


def _users() -> dict[str, User]:
    head = accounts.department_ensure(name="总经理办公室")
    s1 = accounts.department_ensure(name="销售一部", parent=head)
    s2 = accounts.department_ensure(name="销售二部", parent=head)
    svc = accounts.department_ensure(name="客服部", parent=head, data_mgmt=True)
    plan: list[tuple[str, str, Department, str]] = [
        ("gm", "gm", head, "钱总"),
        ("manager1", "manager", s1, "陈建国"),
        ("manager2", "manager", s2, "周丽华"),
        ("rep1", "rep", s1, "王小明"),
        ("rep2", "rep", s1, "李晓红"),
        ("rep3", "rep", s1, "张伟"),
        ("rep4", "rep", s2, "赵大勇"),
        ("rep5", "rep", s2, "刘芳"),
        ("rep6", "rep", s2, "孙磊"),
        ("data", "data_admin", svc, "吴敏"),
        # 客服: registers and handles complaints, draws the satisfaction sample
        ("service", "service", svc, "冯客服"),
        ("front", "receptionist", s1, "郑晓静"),
        ("admin", "sysadmin", head, "系统管理员"),
        # the departments that review a contract (与顾客有关的过程控制程序): orders only
        ("pmc", "pmc", head, "何计划"),
        ("quality", "quality", head, "许品质"),
        ("rnd", "rnd", head, "邓研发"),
        ("production", "production", head, "曹生产"),
        ("purchasing", "purchasing", head, "袁采购"),
    ]
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in plan])}
    shared = ""  # one hash for every demo user: hashing is slow on purpose (0.4 s each)
    for username, role, dept, name in plan:
        if username in users:
            continue
        shared = shared or make_password(DEMO_PASSWORD)
        users[username] = accounts.user_create(
            actor=None,
            username=username,
            password="",
            password_hash=shared,
            role=role,
            department=dept,
            full_name=name,
        )
    return users


def _reception(users: dict[str, User], seed: int) -> None:
    """Each showroom's rotation (销售一部: 王小明, 李晓红, 张伟; 销售二部: 赵大勇, 刘芳,
    孙磊), set by its manager; then the front desk (``front``, 销售一部) registers the day's
    first three returning customers (two walk-ins and a call, in today's working hours so far;
    loaded before opening time, in the last hour), each served by their own rep and back at
    the rotation after, so that 接待台 and 来电来访汇总表 show a day that has begun. Returning
    customers: a first-time visitor would be a customer the front desk created, outside the
    demo's drawn ones."""
    from crm.core.permissions import owned_by
    from crm.reception import services as reception
    from crm.reception.choices import SeatStatus
    from crm.reception.models import Seat

    if Seat.objects.exists():
        return
    for manager, reps in (("manager1", (1, 2, 3)), ("manager2", (4, 5, 6))):
        reception.rotation_set(
            actor=users[manager], data={"users": [users[f"rep{i}"].pk for i in reps]}
        )
    front = users["front"]
    now = timezone.now()
    rng = random.Random(seed)
    seated = [users[f"rep{i}"].pk for i in (1, 2, 3)]
    regulars = list(owned_by(Customer.objects.alive(), seated).order_by("pk")[:200])
    today = timezone.localdate(now)
    moments = sorted(
        m for m in (_work_moment(rng, today, before=now) for _n in range(3)) if m is not None
    )
    if not moments:  # loaded before opening time: the desk's day still shows, a little earlier
        midnight = _at(today, dt.time())
        moments = [max(midnight, now - dt.timedelta(minutes=m)) for m in (45, 30, 15)]
    for channel, at, customer in zip(
        ("visit", "call", "visit"),
        moments,
        rng.sample(regulars, min(3, len(regulars))),
        strict=False,
    ):
        reception.visit_register(
            actor=front,
            data={
                "channel": channel,
                "at": at,
                "name": customer.name,
                "customer": customer.pk,
                "interest": rng.choice(["看样品", "询问报价", "售后咨询"]),
            },
        )
        for seat in Seat.objects.filter(status=SeatStatus.BUSY):  # served, back at the rotation
            reception.seat_set_status(
                actor=users["manager1"], seat_id=seat.pk, data={"status": SeatStatus.ON_DUTY}
            )


# --- drawing customers ----------------------------------------------------------------------


CATALOGUE = (
    ("MD-001", "多参数监护仪", "12.1 英寸，六参数", "台", "III", "6821", "12800"),
    ("MD-002", "电子血压计", "上臂式", "台", "II", "6820", "398"),
    ("MD-003", "医用外科口罩", "17.5×9.5 cm，50 只/盒", "盒", "II", "6864", "35"),
    ("KT-809", "厨房刀具套装", "五件套，不锈钢", "套", "", "", "168"),
)


def _catalogue(gm: User) -> None:
    """A small product catalogue (two classes of medical devices among it), once."""
    if Product.objects.exists():
        return
    for code, name, spec, unit, device_class, device_code, price in CATALOGUE:
        products.product_create(
            actor=gm,
            data={
                "code": code,
                "name": name,
                "specification": spec,
                "unit": unit,
                "device_class": device_class,
                "device_code": device_code,
                "prices": [{"currency": "CNY", "price": price}],
            },
        )


def _orders(gm: User, seed: int) -> None:
    """One signed order for each retained customer with a deal date (the deal it made): one or
    two catalogue products, dated and credited as at the deal (so 销售统计 has a year to show),
    most delivered, a payment plan of two instalments and what was received of it. Written as
    records, like the customers' history; once."""
    from decimal import Decimal

    from crm.orders.models import Instalment, Order, OrderLine, OrderState, Receipt
    from crm.products.models import ProductPrice

    if Order.objects.exists():
        return
    rng = random.Random(seed)
    prices = {p.product_id: p.price for p in ProductPrice.objects.filter(currency="CNY")}
    catalogue = [p for p in Product.objects.filter(pk__in=prices).order_by("code")]
    buyers = list(
        Customer.objects.filter(category=Category.RETAINED, deal_on__isnull=False)
        .select_related("owner")
        .order_by("pk")
    )
    if not catalogue or not buyers:
        return
    today = timezone.localdate()
    orders: list[Any] = []
    lines: list[list[tuple[Product, int]]] = []
    for customer in buyers:
        if customer.owner is None:  # a deal in a pool: nobody sold it
            continue
        day = customer.deal_on
        assert day is not None
        picked = rng.sample(catalogue, k=min(len(catalogue), rng.choice((1, 1, 2))))
        quantities = [rng.choice((1, 2, 5, 10, 20, 50)) for _p in picked]
        total = sum((prices[p.pk] * q for p, q in zip(picked, quantities, strict=True)), Decimal(0))
        age = (today - day).days
        order = Order(
            customer=customer,
            state=OrderState.CLOSED
            if age > 120
            else OrderState.DELIVERED
            if age > 20
            else (OrderState.CONFIRMED),
            order_date=day,
            total=total,
            created_by=customer.owner,
            confirmed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(16))),
            confirmed_on=day,
            sold_by=customer.owner,
            sold_department_id=customer.department_id,
            source=customer.source,
            delivered_on=day + dt.timedelta(days=14) if age > 20 else None,
        )
        orders.append(order)
        lines.append(list(zip(picked, quantities, strict=True)))
    Order.objects.bulk_create(orders)
    rows, plans, receipts = [], [], []
    for order, bought in zip(orders, lines, strict=True):
        for position, (product, quantity) in enumerate(bought, start=1):
            price = prices[product.pk]
            rows.append(
                OrderLine(
                    order=order,
                    position=position,
                    product=product,
                    quantity=quantity,
                    unit_price=price,
                    amount=price * quantity,
                )
            )
        first = (order.total * Decimal("0.3")).quantize(Decimal("0.01"))
        plans += [
            Instalment(
                order=order, position=1, due_on=order.order_date, amount=first, note="预付款"
            ),
            Instalment(
                order=order,
                position=2,
                due_on=order.order_date + dt.timedelta(days=45),
                amount=order.total - first,
                note="尾款",
            ),
        ]
        receipts.append(
            Receipt(order=order, received_on=order.order_date, amount=first, recorded_by=gm)
        )
        if order.order_date + dt.timedelta(days=45) < today and rng.random() < 0.8:
            receipts.append(
                Receipt(
                    order=order,
                    received_on=order.order_date + dt.timedelta(days=45),
                    amount=order.total - first,
                    recorded_by=gm,
                )
            )
    OrderLine.objects.bulk_create(rows)
    Instalment.objects.bulk_create(plans)
    Receipt.objects.bulk_create(receipts)


def _credit_code(rng: random.Random) -> str:
    body = (
        "91"
        + f"{rng.randrange(110000, 659000):06d}"
        + "".join(rng.choice(USCC_CHARS) for _i in range(9))
    )
    return body + credit_code_check_char(body)


@dataclass
class _Taken:
    """Values that must stay unique (the services' duplicate check), in memory."""

    phones: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)
    credit_codes: set[str] = field(default_factory=set)
    org_keys: set[str] = field(default_factory=set)

    @classmethod
    def existing(cls) -> _Taken:
        taken = cls()
        if not Customer.objects.exists():
            return taken
        alive = Customer.objects.filter(deleted_at__isnull=True).only(
            "phone_store", "id_number_store", "credit_code", "kind", "name_key"
        )
        for customer in alive:  # decrypted: the stored values are ciphertext (ADR 0009)
            taken.phones.add(customer.phone)
            taken.id_numbers.add(customer.id_number)
            taken.credit_codes.add(customer.credit_code)
            if customer.kind == Kind.ORGANIZATION:
                taken.org_keys.add(customer.name_key)
        taken.phones.update(c.phone for c in Contact.objects.only("phone_store"))
        return taken

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def clashes(self, customer: Customer) -> bool:
        return (
            bool(customer.id_number and customer.id_number in self.id_numbers)
            or bool(customer.credit_code and customer.credit_code in self.credit_codes)
            or (customer.kind == Kind.ORGANIZATION and customer.name_key in self.org_keys)
        )

    def take(self, customer: Customer) -> None:
        self.id_numbers.add(customer.id_number)
        self.credit_codes.add(customer.credit_code)
        if customer.kind == Kind.ORGANIZATION:
            self.org_keys.add(customer.name_key)


def _customer_data(
    fake: Faker, rng: random.Random, taken: _Taken, category: str, born: dt.datetime
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "phone": taken.phone(rng),
        "city": fake.city_name(),
        "address": fake.address(),
        "source": rng.choice([code for code, _name in DEFAULT_SOURCES]),
        "category": category,
        "tags": rng.sample(TAGS, k=rng.choice([0, 0, 1, 1, 2])),
    }
    if category == Category.INTENTION:
        data["grade"] = rng.choices([g.value for g in Grade], weights=[5, 10, 25, 35, 25])[0]
        data["needs"] = rng.choice(NEEDS)
    if category in (Category.RETAINED, Category.DEFEATED):
        # deals and defeats are transitions of an intention customer (with their events)
        data["category"] = Category.INTENTION
        data["grade"] = rng.choice(["O", "H", "A"])
    if data.get("grade") == Grade.O:  # grade O means a deposit was paid
        data["deposit_amount"] = rng.choice([2000, 5000, 10000, 20000])
        paid = timezone.localdate(born) + dt.timedelta(days=rng.randint(0, 3))
        data["deposit_on"] = min(paid, timezone.localdate()).isoformat()
    if rng.random() < 0.3:
        data.update(
            kind="organization",
            name=fake.company(),
            credit_code=_credit_code(rng),
            staff_count=rng.choice([8, 25, 60, 150, 400, 1200]),
            annual_revenue=rng.choice([300, 1200, 5000, 20000, 80000]),
            main_business=rng.choice(["物流运输", "建筑工程", "商贸批发", "电子制造", "餐饮连锁"]),
        )
    else:
        data.update(
            kind="person", name=fake.name(), company=fake.company() if rng.random() < 0.5 else ""
        )
        if rng.random() < 0.4:
            data["id_number"] = fake.ssn()
        if rng.random() < 0.3:
            data["email"] = fake.email()
    return data


def _contacts_data(fake: Faker, rng: random.Random, taken: _Taken) -> list[dict[str, Any]]:
    roles = [
        ContactRole.CHAIRMAN,
        ContactRole.GENERAL_MANAGER,
        ContactRole.FLEET_MANAGER,
        ContactRole.KEY_STAFF,
    ]
    return [
        {
            "name": fake.name(),
            "role": role.value,
            "phone": taken.phone(rng),
            "age": rng.randint(28, 62),
            "gender": rng.choice(["male", "female"]),
            "hobbies": "、".join(rng.sample(HOBBIES, 2)),
        }
        for role in rng.sample(roles, k=rng.randint(1, 3))
    ]


def _customer(owner: User, cleaned: dict[str, Any]) -> Customer:
    """An unsaved customer as ``customer_create`` makes it from cleaned data."""
    customer = Customer(owner=owner, department_id=owner.department_id, created_by=owner)
    for name, value in cleaned.items():
        if name in {"tags", "owner"}:
            continue
        if name == "phone":
            sensitive.write_phone(customer, value)
        elif name == "id_number":
            sensitive.write_id_number(customer, value)
        elif name == "bank_account":
            sensitive.write_bank_account(customer, value)
        else:
            setattr(customer, name, value)
    customer.name_key = organization_key(customer.name)
    return customer


def _contact(customer: Customer, cleaned: dict[str, Any]) -> Contact:
    contact = Contact(customer=customer)
    for name, value in cleaned.items():
        if name == "phone":
            sensitive.write_phone(contact, value)
        else:
            setattr(contact, name, value)
    return contact


# --- time: working hours --------------------------------------------------------------------


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _work_moment(
    rng: random.Random, day: dt.date, *, after: dt.datetime | None = None, before: dt.datetime
) -> dt.datetime | None:
    """A moment of ``day``'s working hours, after ``after`` and before ``before`` (None when
    that leaves no time), to the minute."""
    start, end = _at(day, WORK_START), _at(day, WORK_END)
    if after is not None:
        start = max(start, after + dt.timedelta(minutes=1))
    end = min(end, before)
    if end <= start:
        return None
    minutes = int((end - start).total_seconds() // 60)
    return start + dt.timedelta(minutes=rng.randint(0, max(minutes - 1, 0)))


def _later_work_moment(rng: random.Random, after: dt.datetime, now: dt.datetime) -> dt.datetime:
    """A working-hours moment between ``after`` (itself in working hours) and ``now``."""
    first, last = timezone.localdate(after), timezone.localdate(now)
    for _attempt in range(20):
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        moment = _work_moment(rng, day, after=after, before=now)
        if moment is not None:
            return moment
    return after + dt.timedelta(minutes=1)


def _plan_slot(rng: random.Random, now: dt.datetime) -> dt.datetime:
    """A half-hour slot of the working hours of the coming week, at least an hour ahead."""
    today = timezone.localdate(now)
    slots = (WORK_END.hour - WORK_START.hour) * 60 // PLAN_SLOT_MINUTES
    while True:
        day = today + dt.timedelta(days=rng.randint(0, 6))
        moment = _at(day, WORK_START) + dt.timedelta(
            minutes=PLAN_SLOT_MINUTES * rng.randrange(slots)
        )
        if moment >= now + dt.timedelta(hours=1):
            return moment


# --- a customer's past ----------------------------------------------------------------------


@dataclass
class _Draft:
    """One customer to be written, with everything that happened to it."""

    customer: Customer
    owner: User
    tags: list[str]
    contacts: list[Contact]
    entry_grade: str
    followups: list[FollowUp] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    new_plans: list[Plan] = field(default_factory=list)  # made with plan_create (audited)
    entry: LifecycleEvent | None = None
    transition: LifecycleEvent | None = None
    defeat: DefeatAnalysis | None = None


def _followup(draft: _Draft, data: dict[str, Any]) -> FollowUp:
    cleaned = activities.clean_followup(data)  # the service's own checks
    for planning in ("next_at", "next_method", "plan"):  # what followup_record takes out
        cleaned.pop(planning, None)
    followup = FollowUp(customer=draft.customer, staff=draft.owner, counted=True, **cleaned)
    draft.followups.append(followup)
    return followup


def _history(
    draft: _Draft,
    target: str,
    born: dt.datetime,
    rng: random.Random,
    now: dt.datetime,
    reasons: list[DefeatReason],
    callback_offsets: list[int],
) -> None:
    """What happened to a new demo customer since ``born``: follow-ups, then a deal (with its
    callbacks, most of them made) or a defeat (with its analysis), or a plan ahead."""
    customer, owner = draft.customer, draft.owner
    born_day = timezone.localdate(born)
    if customer.category == Category.INTENTION:
        draft.entry = LifecycleEvent(
            customer=customer,
            actor=owner,
            owner=owner,
            department_id=customer.department_id,
            at=born,
            from_category="",
            to_category=Category.INTENTION,
            to_grade=customer.grade,
            reason=_("新建客户"),  # as lifecycle.record_entry says it
        )
    else:
        return
    # the end of its time as an intention customer: the deal or the defeat, or now
    until = now
    if target in (Category.RETAINED, Category.DEFEATED):
        until = _later_work_moment(rng, born, now)
    span = (timezone.localdate(until) - born_day).days
    days = sorted(rng.randint(0, span) for _i in range(rng.randint(0, min(span // 5, 6))))
    for offset in days:
        moment = _work_moment(rng, born_day + dt.timedelta(days=offset), after=born, before=until)
        if moment is None:
            continue
        _followup(
            draft,
            {
                "kind": rng.choice(["call", "call", "call", "store_visit", "message"]),
                "occurred_at": moment,
                "content": rng.choice(CALL_NOTES),
                "feedback": rng.choice(["", "比较满意", "觉得价格偏高", "需要和家人商量"]),
            },
        )
    if target == Category.RETAINED:
        _deal(draft, until, rng, now, callback_offsets)
    elif target == Category.DEFEATED:
        _defeat(draft, until, rng, reasons)
    elif rng.random() < 0.3:
        plan = Plan(
            customer=customer,
            assignee=owner,
            created_by=owner,
            method=rng.choice(["phone", "store_visit", "visit"]),
            planned_at=_plan_slot(rng, now),
            content=rng.choice(["邀约试驾", "回复报价", "确认交车时间"]),
        )
        draft.plans.append(plan)
        draft.new_plans.append(plan)


def _transition(draft: _Draft, to: str, at: dt.datetime, reason: str) -> LifecycleEvent:
    customer = draft.customer
    event = LifecycleEvent(
        customer=customer,
        actor=draft.owner,
        owner=draft.owner,
        department_id=customer.department_id,
        at=at,
        from_category=customer.category,
        to_category=to,
        from_grade=customer.grade,
        to_grade="",
        reason=reason,
    )
    customer.category, customer.grade = to, ""
    customer.version += 1
    draft.transition = event
    return event


def _deal(
    draft: _Draft, at: dt.datetime, rng: random.Random, now: dt.datetime, offsets: list[int]
) -> None:
    """Signed on ``at``: the callbacks a deal schedules; those that fell due were mostly made."""
    deal_on = timezone.localdate(at)
    _transition(draft, Category.RETAINED, at, "签订购车合同")
    draft.customer.deal_on = deal_on
    for plan in activities.callback_plans(draft.customer, deal_on, draft.owner, offsets=offsets):
        draft.plans.append(plan)
        if plan.planned_at >= now - dt.timedelta(hours=4) or rng.random() < 0.1:
            continue  # ahead, or one of the few left undone (it becomes missed)
        made = _followup(
            draft,
            {
                "kind": "callback",
                "occurred_at": plan.planned_at + dt.timedelta(hours=rng.randint(0, 3)),
                "satisfaction": rng.choice([3, 4, 4, 5, 5, 5]),
                "content": rng.choice(["车辆使用正常", "询问首保时间", "对销售服务满意"]),
            },
        )
        plan.status, plan.fulfilled_by = PlanStatus.DONE, made
        plan.version += 1


def _defeat(
    draft: _Draft, at: dt.datetime, rng: random.Random, reasons: list[DefeatReason]
) -> None:
    event = _transition(draft, Category.DEFEATED, at, "客户已在别处购车")
    brand = rng.choice(list(BRANDS))
    draft.defeat = DefeatAnalysis(
        customer=draft.customer,
        event=event,
        reason=rng.choice(reasons),
        competitor_brand=brand,
        competitor_model=rng.choice(BRANDS[brand]),
        tried=rng.choice(["申请额外优惠", "安排试驾", "提供低息贷款方案"]),
    )


def _settle(draft: _Draft, table: dict[str, int]) -> None:
    """The derived follow-up state, as the services leave it after the last record."""
    customer = draft.customer
    contacts = [f.occurred_at for f in draft.followups if f.counted]
    customer.last_contact_at = max(contacts) if contacts else None
    open_plans = [p.planned_at for p in draft.plans if p.status in OPEN_STATUSES]
    customer.next_plan_on = timezone.localdate(min(open_plans)) if open_plans else None
    customer.next_due_on = lifecycle.compute_due(customer, table)


# --- loading --------------------------------------------------------------------------------


def load(
    *, customers: int = 2000, seed: int = 20261127, step: Step = _quiet_step
) -> tuple[int, int]:
    """Make sure the demo company exists; add customers until it has ``customers``.

    Idempotent: running it again adds nothing. ``step(label)`` wraps each of ``STEPS`` (the
    command shows progress with it). Returns (users, customers created now).
    """
    with context.bind(job_id="demo"), transaction.atomic():
        with step(STEPS[0]):
            users = _users()
        missing = customers - Customer.objects.count()
        drafts: list[_Draft] = []
        with step(STEPS[1]):
            if missing > 0:
                drafts = _draw(users, missing, seed)
        with step(STEPS[2]):
            _write_customers(drafts)
        with step(STEPS[3]):
            _write_history(drafts)
        with step(STEPS[4]):
            search.write(  # with the owner and department: a rep's search reads its scope
                [
                    (
                        d.customer.pk,
                        d.customer.name,
                        d.customer.company,
                        _phones(d),
                        d.customer.owner_id,
                        d.customer.department_id,
                    )
                    for d in drafts
                ],
                replace=False,
                pinyin_cache={},
            )
        with step(STEPS[5]):
            _write_audit(drafts)
        with step(STEPS[6]):
            _reception(users, seed)
            _catalogue(users["gm"])
            _orders(users["gm"], seed)
            if drafts:
                activities.plans_mark_missed()
                # the month's contact-status figures, kept from the rows loaded around the
                # services (crm.reports.contact_status)
                contact_status.keep_month(timezone.localdate().replace(day=1), again=True)
    return len(users), len(drafts)


def _phones(draft: _Draft) -> list[str]:
    phones = [draft.customer.phone, *(c.phone for c in draft.contacts)]
    return [p for p in phones if p]


def _draw(users: dict[str, User], count: int, seed: int) -> list[_Draft]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    now = timezone.now()
    owners = [users[f"rep{i}"] for i in range(1, 7)] + [users["manager1"], users["manager2"]]
    taken = _Taken.existing()
    reasons = lifecycle.defeat_reasons()
    offsets = lifecycle.lifecycle_settings().callback_offsets
    table = lifecycle.cadence_table()
    drafts: list[_Draft] = []
    while len(drafts) < count:
        owner = rng.choice(owners)
        target = rng.choices([c.value for c in Category], weights=[30, 15, 35, 12, 8])[0]
        # registered up to two months ago (deals and defeats at least the day before)
        low = 1 if target in (Category.RETAINED, Category.DEFEATED) else 0
        age = rng.randint(low, 60)
        day = timezone.localdate(now) - dt.timedelta(days=age)
        born = _work_moment(rng, day, before=now)
        if born is None:  # today, before opening time: yesterday
            born = _work_moment(rng, day - dt.timedelta(days=1), before=now)
            assert born is not None
        data = _customer_data(fake, rng, taken, target, born)
        contacts = _contacts_data(fake, rng, taken) if data.get("kind") == "organization" else []
        try:
            cleaned = customers.clean_customer_data(data)
            cleaned_contacts = [customers.clean_contact_data(c) for c in contacts]
        except Invalid:
            continue  # Faker drew something the rules refuse: draw again, as a user would
        customer = _customer(owner, cleaned)
        if taken.clashes(customer):
            continue  # a duplicate company name or ID number (the duplicate check): again
        taken.take(customer)
        customer.created_at = born
        if customer.category == Category.INTENTION:
            customer.graded_at = born
        draft = _Draft(
            customer=customer,
            owner=owner,
            tags=cleaned.get("tags", []),
            contacts=[_contact(customer, c) for c in cleaned_contacts],
            entry_grade=customer.grade,
        )
        _history(draft, target, born, rng, now, reasons, offsets)
        _settle(draft, table)
        drafts.append(draft)
    return drafts


def _write_customers(drafts: list[_Draft]) -> None:
    rows = [d.customer for d in drafts]
    born = [c.created_at for c in rows]
    Customer.objects.bulk_create(rows, batch_size=500)  # stamps created_at "now": put it back
    for c, at in zip(rows, born, strict=True):
        c.number, c.created_at, c.updated_at = f"KH{c.pk:06d}", at, at
    _set_numbers_and_dates(rows)
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    through = Customer.tags.through
    through.objects.bulk_create(
        [through(customer_id=d.customer.pk, tag_id=tags[n].pk) for d in drafts for n in d.tags],
        batch_size=1000,
    )
    Contact.objects.bulk_create([c for d in drafts for c in d.contacts], batch_size=500)


def _set_numbers_and_dates(rows: list[Customer]) -> None:
    """``number`` (from the new id, as ``customer_create`` sets it) and the registration time
    of each new customer: one UPDATE … FROM (VALUES …) per 500 (SQLite 3.33+ and PostgreSQL
    both name the columns of a VALUES list column1, column2…; bulk_update's CASE per row took
    over a second)."""
    table = Customer._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for c in chunk:
                params += [c.pk, c.number, adapt(c.created_at)]
            cur.execute(
                f"UPDATE {table} SET number = v.column2, created_at = v.column3, "
                f"updated_at = v.column3 FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                params,
            )


def _write_history(drafts: list[_Draft]) -> None:
    events = [e for d in drafts for e in (d.entry, d.transition) if e is not None]
    LifecycleEvent.objects.bulk_create(events, batch_size=500)
    defeats = [d.defeat for d in drafts if d.defeat is not None]
    DefeatAnalysis.objects.bulk_create(defeats, batch_size=500)
    for pair in sorted({(a.competitor_brand, a.competitor_model) for a in defeats}):
        competitors.spelling(*pair)  # the competitor list the defeat form suggests
    FollowUp.objects.bulk_create([f for d in drafts for f in d.followups], batch_size=500)
    Plan.objects.bulk_create([p for d in drafts for p in d.plans], batch_size=500)


def _write_audit(drafts: list[_Draft]) -> None:
    """The rows the services write: customer.created, contact_added, followed_up, the
    category change of a deal or defeat, plan_added (callbacks are scheduled unaudited)."""
    ids = [d.customer.pk for d in drafts]
    saved: dict[int, Customer] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = Customer.objects.filter(pk__in=ids[start : start + CHUNK])
        saved.update((c.pk, c) for c in chunk.prefetch_related("tags"))
    entries: list[audit.Entry] = []
    kinds = {value: str(label) for value, label in FollowUpKind.choices}
    for d in drafts:
        customer, actor = saved[d.customer.pk], d.owner
        now = customer.snapshot()
        created = dict(now)
        if d.transition is not None:
            created.update(category=Category.INTENTION, grade=d.entry_grade, deal_on=None)
        entries.append(audit.Entry(actor, "customer.created", customer, after=created))
        for contact in d.contacts:
            entries.append(
                audit.Entry(
                    actor,
                    "customer.contact_added",
                    customer,
                    after={
                        f"contact.{k}": v
                        for k, v in contact.snapshot().items()
                        if k not in {"id", "customer"}
                    },
                    reason=contact.name,
                )
            )
        for f in sorted(d.followups, key=lambda f: f.occurred_at):
            entries.append(
                audit.Entry(
                    actor,
                    "customer.followed_up",
                    customer,
                    after={
                        "followup.kind": f.kind,
                        "followup.content": f.content,
                        "followup.counted": f.counted,
                    },
                    reason=kinds[f.kind],  # get_kind_display()
                )
            )
        if d.transition is not None:
            entries.append(
                audit.Entry(
                    actor,
                    "customer.category_changed",
                    customer,
                    before=created,
                    after=now,
                    reason=d.transition.reason,
                )
            )
        for p in d.new_plans:
            entries.append(
                audit.Entry(
                    actor,
                    "customer.plan_added",
                    customer,
                    after={
                        "plan.method": p.method,
                        "plan.planned_at": p.planned_at.isoformat(),
                        "plan.assignee": p.assignee_id,
                        "plan.content": p.content,
                    },
                )
            )
    audit.record_many(entries)
