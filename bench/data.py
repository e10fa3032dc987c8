"""Synthetic customers for the benchmark: realistic Chinese names, companies and mobile phones.

Everything is drawn from one seeded ``random.Random``, so two runs with the same seed and count
produce the same rows. Surnames follow their real frequencies (Faker ``zh_CN``'s weighted list:
王 7.2 %, 李 7.0 %, 张 6.7 % …); given names are one or two characters drawn with a Zipf-like
skew from common given-name characters, so common names repeat as they do in life (many 王伟,
few 欧阳静怡). Organisations get unique company names (city + brand + trade + legal form) and a
valid unified social credit code; every customer gets a unique, valid mainland mobile number.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from faker.providers.company.zh_CN import Provider as FakerCompany
from faker.providers.person.zh_CN import Provider as FakerPerson

from crm.core.validators import USCC_CHARS, credit_code_check_char
from crm.customers.samples import MOBILE_PREFIXES

# Mobile prefixes checked against libphonenumber's CN metadata (every 8-digit tail is valid).

# Common characters of given names, most common first (male-leaning, then female-leaning).
GIVEN_CHARS = (
    "伟强磊洋勇军杰涛超明刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳亮成建峰国志晨瑞兵雷东博彬"
    "坤岩文利楠海永兴昌德福春生金光庆立新忠清全发天正荣祥家振子嘉轩泽睿晓思一航宏毅锋鸣"
    "芳娜敏静秀英丽艳娟霞兰燕玲桂丹萍红玉梅莉珍婷凤晶颖雪慧倩琴云洁柳淑莹琳欣璐瑜怡佳悦雨"
    "涵梓诗雅婉琪蕾薇露瑶蓉娇媛菲妍晴芸彤"
)
BRAND_CHARS = (
    "华恒泰鑫隆盛达通远宏兴昌元中新天和信利安康源丰瑞嘉创博汇联顺永金银海星明辰智诚德润"
    "宇鼎晟翔腾飞凯越佳禾美"
)
CITIES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "无锡",
    "宁波",
    "温州",
    "成都",
    "武汉",
    "西安",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "合肥",
    "福州",
    "厦门",
    "南昌",
    "昆明",
    "贵阳",
    "南宁",
    "海口",
    "沈阳",
    "大连",
    "长春",
    "哈尔滨",
    "石家庄",
    "太原",
    "呼和浩特",
    "兰州",
    "银川",
    "西宁",
    "乌鲁木齐",
    "拉萨",
    "东莞",
    "佛山",
    "珠海",
    "绍兴",
    "嘉兴",
    "常州",
    "徐州",
    "烟台",
    "潍坊",
    "洛阳",
    "宜昌",
]
DISTRICTS = [
    "东城",
    "西城",
    "朝阳",
    "海淀",
    "浦东",
    "徐汇",
    "天河",
    "南山",
    "西湖",
    "鼓楼",
    "高新",
    "开发",
    "经开",
    "滨江",
    "江北",
]
ROADS = [
    "人民",
    "中山",
    "解放",
    "建设",
    "和平",
    "长江",
    "黄河",
    "新华",
    "胜利",
    "光明",
    "文化",
    "迎宾",
    "世纪",
    "创业",
    "科技",
]
TRADES = [
    "科技",
    "贸易",
    "汽车销售",
    "物流",
    "建材",
    "医疗器械",
    "房地产开发",
    "电子",
    "机械",
    "食品",
    "服饰",
    "化工",
    "文化传媒",
    "网络",
    "信息技术",
    "餐饮管理",
    "建筑工程",
    "环保",
    "新能源",
    "农业",
    "进出口",
    "运输",
]
LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
LEGAL_WEIGHTS = (60, 20, 15, 5)
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "139.com", "outlook.com")

SOURCES = (
    "newspaper",
    "outdoor",
    "referral",
    "dm",
    "roadshow",
    "website",
    "property_site",
    "journal",
    "old_owner",
    "tv",
    "other",
)
SOURCE_WEIGHTS = (6, 5, 25, 4, 6, 15, 8, 3, 12, 6, 10)
CATEGORIES = ("potential", "base", "intention", "retained", "defeated")
CATEGORY_WEIGHTS = (40, 15, 20, 18, 7)
GRADES = ("O", "H", "A", "B", "C")
GRADE_WEIGHTS = (5, 15, 30, 30, 20)
TAGS = (
    "VIP",
    "老客户",
    "转介绍",
    "大客户",
    "高意向",
    "已加微信",
    "价格敏感",
    "需回访",
    "集团客户",
    "展会",
)
TAGGED_SHARE = 0.2
ORGANIZATION_SHARE = 0.15
EMPLOYER_SHARE = 0.25
UNOWNED_SHARE = 0.03  # the public pool (公海)
YEARS = 3

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Synthetic:
    """One customer as the loader writes it; ``owner`` indexes the loader's list of reps."""

    kind: str
    name: str
    phone: str
    company: str
    credit_code: str
    email: str
    city: str
    address: str
    source: str
    category: str
    grade: str
    owner: int | None
    tags: tuple[int, ...]  # indexes into TAGS
    created_at: datetime
    updated_at: datetime


def _zipf(n: int, s: float = 0.9) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


class _Weighted(Generic[T]):
    """``random.choices(values, weights)[0]`` without its per-call set-up (a hot loop here)."""

    def __init__(self, values: Sequence[T], weights: Sequence[float]) -> None:
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


def credit_code(serial: int) -> str:
    """A unified social credit code (企业, 91 + region) unique per ``serial``, with its check."""
    body = ""
    for _ in range(9):
        serial, digit = divmod(serial, 31)
        body += USCC_CHARS[digit]
    first17 = "91330100" + body
    return first17 + credit_code_check_char(first17)


class Generator:
    """Draws ``Synthetic`` rows; ``rows(n)`` yields them in chunks."""

    def __init__(self, *, seed: int, owners: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.owners = owners
        self.now = now
        self.surnames = _Weighted(
            list(FakerPerson.last_names), list(FakerPerson.last_names.values())
        )
        given = list(dict.fromkeys(GIVEN_CHARS))
        self.given_chars = _Weighted(given, _zipf(len(given)))
        self.faker_given: list[str] = list(FakerPerson.first_names)
        self.brands = [a + b for a in BRAND_CHARS for b in BRAND_CHARS if a != b] + [
            p for p in FakerCompany.company_prefixes if p.isalnum()
        ]
        self.phones: set[str] = set()
        self.organizations: set[str] = set()
        self.employers: list[str] = []
        self.owner = _Weighted(range(owners), range(owners + 5, 5, -1))
        self.sources = _Weighted(SOURCES, SOURCE_WEIGHTS)
        self.categories = _Weighted(CATEGORIES, CATEGORY_WEIGHTS)
        self.grades = _Weighted(GRADES, GRADE_WEIGHTS)
        self.legal_forms = _Weighted(LEGAL_FORMS, LEGAL_WEIGHTS)
        self.span = timedelta(days=365 * YEARS)

    # --- parts ----------------------------------------------------------------------------
    def person_name(self) -> str:
        rng = self.rng
        surname = self.surnames.pick(rng)
        roll = rng.random()
        if roll < 0.15:
            given = rng.choice(self.faker_given)
        elif roll < 0.45:
            given = self.given_chars.pick(rng)
        else:
            given = self.given_chars.pick(rng) + self.given_chars.pick(rng)
        return surname + given

    def phone(self) -> str:
        rng = self.rng
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def company(self) -> str:
        rng = self.rng
        while True:
            name = (
                rng.choice(CITIES)
                + rng.choice(self.brands)
                + rng.choice(TRADES)
                + self.legal_forms.pick(rng)
            )
            if name not in self.organizations:
                self.organizations.add(name)
                return name

    def address(self, city: str) -> str:
        rng = self.rng
        return f"{city}市{rng.choice(DISTRICTS)}区{rng.choice(ROADS)}路{rng.randint(1, 999)}号"

    # --- rows -----------------------------------------------------------------------------
    def one(self, index: int, n: int) -> Synthetic:
        rng = self.rng
        city = rng.choice(CITIES)
        org = rng.random() < ORGANIZATION_SHARE
        if org:
            name = self.company()
            self.employers.append(name)
            company = name
            code = credit_code(len(self.organizations))
        else:
            name = self.person_name()
            company = ""
            if self.employers and rng.random() < EMPLOYER_SHARE:
                company = rng.choice(self.employers)
            code = ""
        category = self.categories.pick(rng)
        grade = self.grades.pick(rng) if category == "intention" else ""
        owner = self.owner.pick(rng) if rng.random() >= UNOWNED_SHARE else None
        created = self.now - self.span + self.span * (index / n) - timedelta(seconds=rng.random())
        updated = min(self.now, created + timedelta(days=rng.random() * 30))
        tags: tuple[int, ...] = ()
        if rng.random() < TAGGED_SHARE:
            tags = tuple(sorted(set(rng.choices(range(len(TAGS)), k=rng.choice((1, 1, 2))))))
        email = ""
        if rng.random() < 0.3:
            email = f"c{index}@{rng.choice(EMAIL_DOMAINS)}"
        return Synthetic(
            kind="organization" if org else "person",
            name=name,
            phone=self.phone(),
            company=company,
            credit_code=code,
            email=email,
            city=city,
            address=self.address(city) if rng.random() < 0.6 else "",
            source=self.sources.pick(rng),
            category=category,
            grade=grade,
            owner=owner,
            tags=tags,
            created_at=created,
            updated_at=updated,
        )

    def rows(self, n: int, *, chunk: int = 20_000) -> Iterator[Sequence[Synthetic]]:
        """``n`` customers, oldest first, in chunks of ``chunk``."""
        for start in range(0, n, chunk):
            yield [self.one(i, n) for i in range(start, min(n, start + chunk))]
