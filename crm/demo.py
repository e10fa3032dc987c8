"""The demo company (`crm demo`): departments, the roles of the seed's regulations, and about
2,000 customers made with Faker zh_CN, entered through the same services as real users use, with
two months of follow-up history, plans, deals with their callbacks, and defeats with analyses.

The services stamp records with the current time; to give the demo a past, customers' creation
and grading times are moved back afterwards (the only direct writes here) and the due dates
recomputed, so that the Today page shows overdue and due customers on the first run."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from faker import Faker

from crm.accounts import services as accounts
from crm.accounts.demo import DEMO_PASSWORD
from crm.accounts.models import Department, User
from crm.accounts.roles import APPROVE_DEFEAT
from crm.activities import services as activities
from crm.activities.models import Plan
from crm.core import context
from crm.core.errors import DomainError
from crm.core.validators import USCC_CHARS, credit_code_check_char
from crm.customers import lifecycle, services
from crm.customers.choices import Category, ContactRole, Grade, Source
from crm.customers.models import Customer, DefeatReason, LifecycleEvent
from crm.customers.samples import MOBILE_PREFIXES
from crm.governance import approvals
from crm.governance.models import ApprovalRequest

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
        ("admin", "sysadmin", head, "系统管理员"),
    ]
    users: dict[str, User] = {}
    for username, role, dept, name in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                department=dept,
                full_name=name,
                validate_password=False,
            )
        users[username] = user
    return users


def _phone_maker(rng: random.Random) -> Callable[[], str]:
    used: set[str] = set()

    def make() -> str:
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in used:
                used.add(phone)
                return phone

    return make


def _credit_code(rng: random.Random) -> str:
    body = (
        "91"
        + f"{rng.randrange(110000, 659000):06d}"
        + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    )
    return body + credit_code_check_char(body)


def _customer_data(fake: Faker, rng: random.Random, phone: Callable[[], str]) -> dict[str, object]:
    category = rng.choices([c.value for c in Category], weights=[30, 15, 35, 12, 8])[0]
    data: dict[str, object] = {
        "phone": phone(),
        "city": fake.city_name(),
        "address": fake.address(),
        "source": rng.choice([s.value for s in Source]),
        "category": category,
        "tags": rng.sample(TAGS, k=rng.choice([0, 0, 1, 1, 2])),
    }
    if category == Category.INTENTION:
        data["grade"] = rng.choices([g.value for g in Grade], weights=[5, 10, 25, 35, 25])[0]
        data["needs"] = rng.choice(NEEDS)
    if category in (Category.RETAINED, Category.DEFEATED):
        # deals and defeats happen through transitions (with callbacks and analyses) below
        data["target"] = category
        data["category"] = Category.INTENTION
        data["grade"] = rng.choice(["O", "H", "A"])
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


def _contacts(fake: Faker, rng: random.Random, phone: Callable[[], str]) -> list[dict[str, object]]:
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
            "phone": phone(),
            "age": rng.randint(28, 62),
            "gender": rng.choice(["male", "female"]),
            "hobbies": "、".join(rng.sample(HOBBIES, 2)),
        }
        for role in rng.sample(roles, k=rng.randint(1, 3))
    ]


def load(*, customers: int = 2000, seed: int = 20261127) -> tuple[int, int]:
    """Make sure the demo company exists; add customers until it has ``customers``.

    Idempotent: running it again adds nothing. Returns (users, customers created now).
    """
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    phone = _phone_maker(rng)
    created = 0
    with context.bind(job_id="demo"), transaction.atomic():
        users = _users()
        owners = [users[f"rep{i}"] for i in range(1, 7)] + [users["manager1"], users["manager2"]]
        missing = customers - Customer.objects.count()
        while created < missing:
            owner = rng.choice(owners)
            data = _customer_data(fake, rng, phone)
            category = str(data.pop("target", data["category"]))
            try:
                customer = services.customer_create(actor=owner, data=data)
            except DomainError:
                continue  # a rare duplicate company name or ID number from Faker: draw again
            if customer.kind == "organization":
                for contact in _contacts(fake, rng, phone):
                    services.contact_create(actor=owner, customer_id=customer.pk, data=contact)
            _history(customer, owner, category, rng)
            created += 1
        if created:
            lifecycle.recompute_due_sql()
            activities.plans_mark_missed()
    return len(users), created


CALL_NOTES = [
    "电话沟通配置和价格",
    "客户询问贷款方案",
    "约周末来店试驾",
    "发送了报价单",
    "客户在比较竞品",
    "客户表示还在考虑",
    "确认了颜色和交车时间",
]


def _history(customer: Customer, owner: User, category: str, rng: random.Random) -> None:
    """Give a new demo customer a past: age, follow-ups, a plan, a deal or a defeat."""
    now = timezone.now()
    age = rng.randint(0, 60)
    born = now - dt.timedelta(days=age, hours=rng.randint(0, 8))
    Customer.objects.filter(pk=customer.pk).update(
        created_at=born, graded_at=born if customer.graded_at else None
    )
    customer.refresh_from_db()
    if customer.category != Category.INTENTION:
        return
    moments = sorted(
        born + dt.timedelta(days=rng.uniform(0, age))
        for _ in range(rng.randint(0, min(age // 5, 6)))
    )
    for moment in moments:
        kind = rng.choice(["call", "call", "call", "store_visit", "message"])
        activities.followup_record(
            actor=owner,
            customer_id=customer.pk,
            data={
                "kind": kind,
                "occurred_at": moment,
                "content": rng.choice(CALL_NOTES),
                "feedback": rng.choice(["", "比较满意", "觉得价格偏高", "需要和家人商量"]),
            },
        )
    customer.refresh_from_db()
    if category == Category.RETAINED:
        deal_on = timezone.localdate() - dt.timedelta(days=rng.randint(0, age))
        event = lifecycle.customer_transition(
            actor=owner,
            customer_id=customer.pk,
            version=customer.version,
            to=Category.RETAINED,
            deal_on=deal_on,
            reason="签订购车合同",
        )
        assert isinstance(event, LifecycleEvent)
        _backdate(event, timezone.make_aware(dt.datetime.combine(deal_on, dt.time(15))))
        _past_callbacks(customer, owner, rng)
    elif category == Category.DEFEATED:
        event = lifecycle.customer_transition(
            actor=owner,
            customer_id=customer.pk,
            version=customer.version,
            to=Category.DEFEATED,
            reason="客户已在别处购车",
            defeat={
                "reason": rng.choice(list(DefeatReason.objects.values_list("pk", flat=True))),
                "competitor_brand": rng.choice(["丰田", "本田", "大众", "比亚迪", "吉利"]),
                "competitor_model": rng.choice(["凯美瑞", "雅阁", "帕萨特", "汉", "星瑞"]),
                "tried": rng.choice(["申请额外优惠", "安排试驾", "提供低息贷款方案"]),
            },
        )
        if isinstance(event, ApprovalRequest):  # 战败申请: the department's manager approves it
            event = _approve_defeat(event, customer)
        _backdate(event, now - dt.timedelta(days=rng.uniform(0, age)))
    elif rng.random() < 0.3:
        activities.plan_create(
            actor=owner,
            customer_id=customer.pk,
            data={
                "method": rng.choice(["phone", "store_visit", "visit"]),
                "planned_at": now + dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 8)),
                "content": rng.choice(["邀约试驾", "回复报价", "确认交车时间"]),
            },
        )


def _approve_defeat(request: ApprovalRequest, customer: Customer) -> LifecycleEvent:
    deciders = User.objects.filter(is_active=True, role__grants__has_key=APPROVE_DEFEAT)
    manager = next(u for u in deciders.select_related("role") if approvals.may_decide(u, request))
    approvals.approval_decide(actor=manager, request_id=request.pk, approve=True)
    return LifecycleEvent.objects.filter(customer=customer).latest("id")


def _backdate(event: LifecycleEvent, at: dt.datetime) -> None:
    """Spread demo deals and defeats over the past weeks, as the reports would have seen them."""
    LifecycleEvent.objects.filter(pk=event.pk).update(at=min(at, timezone.now()))


def _past_callbacks(customer: Customer, owner: User, rng: random.Random) -> None:
    """Callbacks of an older deal were made when they fell due (most of them, at least)."""
    due = Plan.objects.filter(
        customer=customer, kind="callback", planned_at__lt=timezone.now() - dt.timedelta(hours=4)
    ).order_by("planned_at")
    for plan in list(due):
        if rng.random() < 0.1:
            continue  # a few stay missed, as in any showroom
        activities.followup_record(
            actor=owner,
            customer_id=customer.pk,
            data={
                "kind": "callback",
                "plan": plan.pk,
                "occurred_at": plan.planned_at + dt.timedelta(hours=rng.randint(0, 3)),
                "satisfaction": rng.choice([3, 4, 4, 5, 5, 5]),
                "content": rng.choice(["车辆使用正常", "询问首保时间", "对销售服务满意"]),
            },
        )
