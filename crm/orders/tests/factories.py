"""Helpers of the order tests: the five reviewing departments' staff, a catalogue, an order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.orders import services
from crm.orders.models import Order
from crm.products import services as products
from crm.products.models import Product
from crm.testing import PASSWORD, Org

REQUIREMENTS = {
    "stated_quality": "符合 GB 9706.1，出厂检验合格",
    "stated_delivery": "合同签订后 30 天内交付",
    "stated_warranty": "整机保修一年",
    "stated_training": "上门培训操作人员",
    "statutory": "符合 RoHS，无铅焊接",
    "lead_free": True,
    "company_terms": "预付 30%，发货前付清",
}


@dataclass
class Reviewers:
    capacity: User
    quality: User
    technical: User
    equipment: User
    material: User

    def by_area(self) -> dict[str, User]:
        return {
            "capacity": self.capacity,
            "quality": self.quality,
            "technical": self.technical,
            "equipment": self.equipment,
            "material": self.material,
        }


def make_reviewers(org: Org) -> Reviewers:
    def user(username: str, role: str, name: str) -> User:
        return accounts.user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            role=role,
            department=org.head_office,
            full_name=name,
            validate_password=False,
        )

    return Reviewers(
        capacity=user("pmc", "pmc", "计划员"),
        quality=user("qa", "quality", "品质主管"),
        technical=user("rnd", "rnd", "研发工程师"),
        equipment=user("prod", "production", "生产主管"),
        material=user("buyer", "purchasing", "采购员"),
    )


def make_product(org: Org, **data: Any) -> Product:
    data.setdefault("code", "P-001")
    data.setdefault("name", "多参数监护仪")
    data.setdefault("unit", "台")
    data.setdefault("prices", [{"currency": "CNY", "price": "12000"}])
    return products.product_create(actor=org.gm, data=data)


def make_order(actor: User, customer: Any, product: Product, **data: Any) -> Order:
    data.setdefault("lines", [{"product": product.pk, "quantity": 2}])
    return services.order_create(actor=actor, data={"customer": customer.pk, **data})


def submit(actor: User, order: Order, **extra: Any) -> Order:
    order.refresh_from_db()
    return services.order_submit(
        actor=actor,
        order_id=order.pk,
        data={"version": order.version, **REQUIREMENTS, **extra},
    )


def review_all(reviewers: Reviewers, order: Order, **refusals: str) -> None:
    """Each department reviews; an area named in ``refusals`` disagrees with that comment."""
    for area, user in reviewers.by_area().items():
        order.refresh_from_db()
        if order.state != "review":
            return
        if order.reviews.order_by("-round")[0].rows.get(area=area).state != "pending":
            continue
        if area in refusals:
            data = {"approve": False, "note": refusals[area]}
        else:
            data = {"approve": True, "note": "同意"}
        services.review_decide(actor=user, order_id=order.pk, area=area, data=data)
