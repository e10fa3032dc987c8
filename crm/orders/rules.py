"""The rules an order must meet before it is reviewed or signed (与顾客有关的过程控制程序):
a distributor of medical devices holds a valid licence covering each product (5.1.5); a verbal
order is confirmed in writing (5.1.7); the customer can become a retained customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from crm.customers.choices import Category, CompanyType
from crm.customers.models import Customer
from crm.products.models import DeviceClass, Product

from .models import MedicalLicence, Order

# the kinds of business that resell medical devices and so need a licence (5.1.5)
LICENSED_TYPES = (CompanyType.DISTRIBUTOR, CompanyType.AGENT)
# a confirmed order makes its customer retained: from intention (or retained already)
ORDERING_CATEGORIES = (Category.INTENTION, Category.RETAINED)


def needs_licence(customer: Customer) -> bool:
    return customer.company_type in LICENSED_TYPES


def _scope_text(product: Product) -> str:
    label = str(DeviceClass(product.device_class).label)
    return f"{label} {product.device_code}".strip()


def licence_problems(customer: Customer, products: Iterable[Product], today: dt.date) -> list[str]:
    """Why a distributor or agent may not buy these products now: one message per product of
    class II or III that no valid licence of theirs covers (naming the expired one that did)."""
    if not needs_licence(customer):
        return []
    licences = list(MedicalLicence.objects.filter(customer=customer).order_by("-expires_on"))
    problems: list[str] = []
    seen: set[int] = set()
    for product in products:
        if product.pk in seen or not product.licensed:
            continue
        seen.add(product.pk)
        covering = [
            lic for lic in licences if lic.covers(product.device_class, product.device_code)
        ]
        if any(lic.expires_on >= today for lic in covering):
            continue
        values = {
            "customer": customer.name,
            "product": product.name,
            "scope": _scope_text(product),
        }
        if covering:
            values.update(number=covering[0].number, day=covering[0].expires_on.isoformat())
            problems.append(
                _(
                    "经销商“%(customer)s”的医疗器械经营许可证 %(number)s 已于 %(day)s 过期，"
                    "不能订购“%(product)s”（%(scope)s）"
                )
                % values
            )
        else:
            problems.append(
                _(
                    "经销商“%(customer)s”没有经营范围涵盖“%(product)s”（%(scope)s）的"
                    "有效医疗器械经营许可证，不能订购该产品"
                )
                % values
            )
    return problems


def category_problem(customer: Customer) -> str:
    """Why the customer cannot become retained when the order is confirmed ("" when it can)."""
    if customer.category in ORDERING_CATEGORIES:
        return ""
    return _(
        "客户“%(name)s”当前为%(category)s：订单确认后客户将成为保有客户，请先将其转为意向客户"
    ) % {"name": customer.name, "category": Category(customer.category).label}


def confirmed_in_writing(order: Order) -> bool:
    """A verbal order has its written confirmation (an e-mail, the countersigned contract)."""
    return any(f.confirms for f in order.files.all())  # type: ignore[attr-defined]
