"""The demo company (`crm demo`): departments, the roles of the seed's regulations, and about
2,000 customers made with Faker zh_CN, entered through the same services as real users use."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction
from faker import Faker

from crm.accounts import services as accounts
from crm.accounts.demo import DEMO_PASSWORD
from crm.accounts.models import Department, User
from crm.core import context
from crm.core.errors import DomainError

from . import services
from .choices import Category, ContactRole, Grade, Source
from .models import Customer
from .validators import credit_code_check_char

_MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
]
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
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
            phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in used:
                used.add(phone)
                return phone

    return make


def _credit_code(rng: random.Random) -> str:
    body = (
        "91" + f"{rng.randrange(110000, 659000):06d}" + "".join(rng.choice(_USCC) for _ in range(9))
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
            try:
                customer = services.customer_create(actor=owner, data=data)
            except DomainError:
                continue  # a rare duplicate company name or ID number from Faker: draw again
            if customer.kind == "organization":
                for contact in _contacts(fake, rng, phone):
                    services.contact_create(actor=owner, customer_id=customer.pk, data=contact)
            created += 1
    return len(users), created
