"""销售统计: the signed orders of a period summed by month, by rep, by department, by product or
by the customer's source channel (认知途径), in one currency.

A sale is an order signed (confirmed, then delivered or closed; not one cancelled or sent back to
review), counted on the day of its signature and credited to whoever owned the customer then
(``Order.sold_by``, kept on the order: a customer handed over later does not move last year's
sales). Who sees which sales is the ``Sale`` policy read through ``restrict()`` with the reports
action: a rep their own, a manager their departments', the general manager everything.

One aggregate query per report (two for products: the lines' sums and the signed orders'
count), over the partial index ``order_sold`` (signature day, currency).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from crm.accounts.models import Department, User
from crm.accounts.roles import VIEW_ORDER, VIEW_REPORTS
from crm.core.errors import Invalid
from crm.core.permissions import in_departments, require, restrict
from crm.customers.models import Source
from crm.products.models import Product

from .models import SOLD, OrderLine, Sale

BY = ("month", "rep", "department", "product", "source")
SPAN_DAYS_MAX = 5 * 366
CENT = Decimal("0.01")


def by_labels() -> dict[str, str]:
    return {
        "month": _("按月份"),
        "rep": _("按销售人员"),
        "department": _("按部门"),
        "product": _("按产品"),
        "source": _("按客户来源"),
    }


@dataclass
class StatRow:
    key: str
    label: str
    orders: int = 0
    amount: Decimal = Decimal(0)
    quantity: Decimal | None = None  # products only
    share: float | None = None  # of the period's amount


@dataclass
class SalesStats:
    by: str
    since: dt.date
    until: dt.date
    currency: str
    department: Department | None
    rows: list[StatRow] = field(default_factory=list)
    orders: int = 0
    amount: Decimal = Decimal(0)

    @property
    def average(self) -> Decimal:
        return (self.amount / self.orders).quantize(CENT) if self.orders else Decimal(0)


def sales(
    *, actor: User, since: dt.date, until: dt.date, currency: str, action: str = VIEW_REPORTS
) -> QuerySet[Sale]:
    """The signed orders of the period in ``currency`` that ``actor`` may count."""
    return restrict(
        Sale.objects.filter(
            confirmed_on__gte=since,
            confirmed_on__lte=until,
            currency=currency,
            state__in=SOLD,
        ),
        actor,
        action,
    )


def _months(since: dt.date, until: dt.date) -> list[dt.date]:
    out, day = [], since.replace(day=1)
    while day <= until:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def _month(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def sales_statistics(
    *,
    actor: User,
    by: str,
    since: dt.date,
    until: dt.date,
    currency: str = "CNY",
    department_id: int | None = None,
    action: str = VIEW_REPORTS,
) -> SalesStats:
    """The period's sales grouped ``by`` one of :data:`BY`, largest amount first (months in
    order, every month of the period shown)."""
    require(actor, action)
    require(actor, VIEW_ORDER)
    if by not in BY:
        raise Invalid(fields={"by": _("不是有效的选项")})
    if since > until:
        raise Invalid(fields={"since": _("开始日期不能晚于结束日期")})
    if (until - since).days > SPAN_DAYS_MAX:
        raise Invalid(fields={"until": _("统计期间最长五年")})
    department: Department | None = None
    scoped = sales(actor=actor, since=since, until=until, currency=currency, action=action)
    if department_id is not None:
        departments = restrict(Department.objects.all(), actor, action)
        department = departments.filter(pk=department_id).first()
        if department is None:
            raise Invalid(fields={"department": _("不是有效的选项")})
        scoped = in_departments(scoped, department.subtree_ids())
    report = SalesStats(by=by, since=since, until=until, currency=currency, department=department)
    if by == "product":
        report.rows = _by_product(scoped)
        total = scoped.aggregate(n=Count("id"), amount=Sum("total"))
    else:
        report.rows = _grouped(scoped, by, since, until)
        total = {
            "n": sum(r.orders for r in report.rows),
            "amount": sum((r.amount for r in report.rows), Decimal(0)),
        }
    report.orders, report.amount = total["n"] or 0, _money(total["amount"])
    for row in report.rows:
        row.share = float(row.amount / report.amount) if report.amount else None
    return report


_COLUMN = {"rep": "sold_by_id", "department": "sold_department_id", "source": "source"}


def _grouped(scoped: QuerySet[Sale], by: str, since: dt.date, until: dt.date) -> list[StatRow]:
    if by == "month":
        found = {
            _month(r["month"]): r
            for r in scoped.annotate(month=TruncMonth("confirmed_on"))
            .values("month")
            .annotate(n=Count("id"), amount=Sum("total"))
            .order_by()
        }
        rows = []
        for month in _months(since, until):
            r = found.get(month, {})
            rows.append(
                StatRow(
                    key=f"{month:%Y-%m}",
                    label=f"{month:%Y-%m}",
                    orders=r.get("n", 0),
                    amount=_money(r.get("amount")),
                )
            )
        return rows
    column = _COLUMN[by]
    counted = list(scoped.values(column).annotate(n=Count("id"), amount=Sum("total")).order_by())
    keys = [r[column] for r in counted]
    labels = _labels(by, [k for k in keys if k not in (None, "")])
    rows = [
        StatRow(
            key="" if r[column] is None else str(r[column]),
            label=labels.get(r[column], "") or _none_label(by, r[column]),
            orders=r["n"],
            amount=_money(r["amount"]),
        )
        for r in counted
    ]
    rows.sort(key=lambda r: (-r.amount, -r.orders, r.label))
    return rows


def _none_label(by: str, key: Any) -> str:
    if key in (None, ""):
        return {"rep": _("（无负责人）"), "department": _("（无部门）")}.get(by, _("（未填写）"))
    return str(key)  # a source code no longer in the list


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "rep":
        return {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    if by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(Source.objects.filter(code__in=keys).values_list("code", "name"))


def _by_product(scoped: QuerySet[Sale]) -> list[StatRow]:
    counted = list(
        OrderLine.objects.filter(order__in=scoped.values("pk"))
        .values("product_id")
        .annotate(
            n=Count("order_id", distinct=True), quantity=Sum("quantity"), amount=Sum("amount")
        )
        .order_by()
    )
    names = {
        p.pk: f"{p.name}（{p.code}）" if p.code else p.name
        for p in Product.objects.filter(pk__in=[r["product_id"] for r in counted])
    }
    rows = [
        StatRow(
            key=str(r["product_id"]),
            label=names.get(r["product_id"], str(r["product_id"])),
            orders=r["n"],
            amount=_money(r["amount"]),
            quantity=Decimal(r["quantity"] or 0),
        )
        for r in counted
    ]
    rows.sort(key=lambda r: (-r.amount, -r.orders, r.label))
    return rows
