"""销售统计 (issue 11, part 7): what was sold, by month, rep, department, product and the
customer's source. A sale is an order signed by the general manager, counted on the day of the
signature and credited to whoever owned the customer then; a draft, an order under review and a
cancelled one are not sales."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from crm.core.errors import Invalid, PermissionDenied
from crm.customers import services as customers
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.orders import services, stats
from crm.orders.models import Order, OrderState

from .factories import make_order, make_product, make_reviewers, review_all, submit


@pytest.fixture
def catalogue(org):
    return (
        make_product(org),
        make_product(org, code="P-002", name='=HYPERLINK("x")', prices=[]),
    )


def _signed(org, reviewers, customer, product, quantity=1, price=None):
    """An order of ``customer`` through the whole procedure: registered, reviewed, signed."""
    line = {"product": product.pk, "quantity": quantity}
    if price is not None:
        line["unit_price"] = price
    order = make_order(customer.owner, customer, product, lines=[line])
    submit(customer.owner, order)
    review_all(reviewers, order)
    services.order_sign(actor=org.gm, order_id=order.pk, data={"approve": True})
    order.refresh_from_db()
    return order


def _this_year():
    today = timezone.localdate()
    return {"since": today.replace(month=1, day=1), "until": today}


def test_a_signed_order_is_a_sale_of_the_customers_owner_on_the_day_of_signature(org, catalogue):
    reviewers = make_reviewers(org)
    monitor, _other = catalogue
    buyer = make_customer(
        org.rep_a, name="宁波仁济医院", category="intention", grade="A", source="referral"
    )
    order = _signed(org, reviewers, buyer, monitor, quantity=2)
    assert order.state == OrderState.CONFIRMED
    assert order.confirmed_on == timezone.localdate()
    assert (order.sold_by, order.sold_department, order.source) == (
        org.rep_a,
        org.sales1,
        "referral",
    )
    # not sales: a draft, an order under review, a cancelled one
    make_order(org.rep_a, buyer, monitor)
    submit(org.rep_a, make_order(org.rep_a, buyer, monitor))
    cancelled = _signed(org, reviewers, buyer, monitor)
    services.order_cancel(
        actor=org.rep_a,
        order_id=cancelled.pk,
        data={"version": cancelled.version, "reason": "客户撤单"},
    )
    # the customer changes hands afterwards: the sale stays rep_a's
    with transaction.atomic():
        locked = buyer.__class__.objects.select_for_update().get(pk=buyer.pk)
        customers.customer_owner_set(
            actor=org.manager, customer=locked, owner=org.rep_b, reason="交接"
        )
    report = stats.sales_statistics(actor=org.gm, by="rep", **_this_year())
    assert [(r.label, r.orders, r.amount) for r in report.rows] == [
        (org.rep_a.display_name, 1, Decimal("24000.00"))
    ]
    assert (report.orders, report.amount, report.average) == (
        1,
        Decimal("24000.00"),
        Decimal("24000.00"),
    )
    assert report.rows[0].share == 1.0


def _sale(customer, product, day, amount, currency="CNY"):
    """A signed order as the statistics read it, written directly (the procedure is tested
    above): ``amount`` on one line of ``product``."""
    order = Order.objects.create(
        customer=customer,
        state=OrderState.DELIVERED,
        order_date=day,
        currency=currency,
        total=Decimal(amount),
        confirmed_on=day,
        sold_by=customer.owner,
        sold_department=customer.department,
        source=customer.source,
    )
    order.lines.create(
        position=1, product=product, quantity=2, unit_price=Decimal(amount) / 2, amount=amount
    )
    return order


@pytest.fixture
def year_of_sales(org, catalogue):
    monitor, pump = catalogue
    a = make_customer(org.rep_a, name="甲医院", source="referral")
    b = make_customer(org.rep_b, name="乙诊所", source="website")
    c = make_customer(org.rep_c, name="丙公司")  # 销售二部, no source given
    _sale(a, monitor, dt.date(2026, 1, 15), "10000")
    _sale(a, pump, dt.date(2026, 1, 20), "3000")
    _sale(b, monitor, dt.date(2026, 3, 2), "5000")
    _sale(c, pump, dt.date(2026, 3, 31), "7000")
    _sale(c, pump, dt.date(2026, 4, 1), "9999")  # after the period
    _sale(a, monitor, dt.date(2026, 2, 1), "800", currency="USD")  # another currency
    return {"since": dt.date(2026, 1, 1), "until": dt.date(2026, 3, 31)}


def _rows(report):
    return [(r.label, r.orders, r.amount) for r in report.rows]


def test_by_month_every_month_of_the_period_is_shown(org, year_of_sales):
    report = stats.sales_statistics(actor=org.gm, by="month", **year_of_sales)
    assert _rows(report) == [
        ("2026-01", 2, Decimal("13000.00")),
        ("2026-02", 0, Decimal("0.00")),
        ("2026-03", 2, Decimal("12000.00")),
    ]
    assert report.amount == Decimal("25000.00")
    usd = stats.sales_statistics(actor=org.gm, by="month", currency="USD", **year_of_sales)
    assert usd.amount == Decimal("800.00")


def test_by_rep_department_product_and_source(org, year_of_sales, catalogue):
    monitor, pump = catalogue

    def rows(by):
        return _rows(stats.sales_statistics(actor=org.gm, by=by, **year_of_sales))

    assert rows("rep") == [
        (org.rep_a.display_name, 2, Decimal("13000.00")),
        (org.rep_c.display_name, 1, Decimal("7000.00")),
        (org.rep_b.display_name, 1, Decimal("5000.00")),
    ]
    assert rows("department") == [
        ("销售一部", 3, Decimal("18000.00")),
        ("销售二部", 1, Decimal("7000.00")),
    ]
    assert rows("source") == [
        ("亲友介绍", 2, Decimal("13000.00")),
        ("（未填写）", 1, Decimal("7000.00")),
        ("公司网站", 1, Decimal("5000.00")),
    ]
    products = stats.sales_statistics(actor=org.gm, by="product", **year_of_sales)
    assert [(r.key, r.orders, r.quantity, r.amount) for r in products.rows] == [
        (str(monitor.pk), 2, Decimal(4), Decimal("15000.00")),
        (str(pump.pk), 2, Decimal(4), Decimal("10000.00")),
    ]
    assert products.orders == 4
    assert products.amount == Decimal("25000.00")


def test_a_rep_counts_their_own_sales_and_a_manager_their_departments(org, year_of_sales):
    mine = stats.sales_statistics(actor=org.rep_a, by="rep", **year_of_sales)
    assert _rows(mine) == [(org.rep_a.display_name, 2, Decimal("13000.00"))]
    managed = stats.sales_statistics(actor=org.manager, by="rep", **year_of_sales)
    assert {r.label for r in managed.rows} == {org.rep_a.display_name, org.rep_b.display_name}
    assert managed.amount == Decimal("18000.00")
    narrowed = stats.sales_statistics(
        actor=org.gm, by="rep", department_id=org.sales2.pk, **year_of_sales
    )
    assert _rows(narrowed) == [(org.rep_c.display_name, 1, Decimal("7000.00"))]
    # a department outside one's scope is not a choice
    with pytest.raises(Invalid) as refused:
        stats.sales_statistics(
            actor=org.manager, by="rep", department_id=org.sales2.pk, **year_of_sales
        )
    assert refused.value.fields == {"department": "不是有效的选项"}
    with pytest.raises(PermissionDenied):
        stats.sales_statistics(actor=org.sysadmin, by="rep", **year_of_sales)


def test_a_period_given_wrong_is_refused_with_its_reason(org):
    day = dt.date(2026, 5, 1)
    with pytest.raises(Invalid) as backwards:
        stats.sales_statistics(actor=org.gm, by="month", since=day, until=day.replace(month=4))
    assert backwards.value.fields == {"since": "开始日期不能晚于结束日期"}
    with pytest.raises(Invalid) as long:
        stats.sales_statistics(actor=org.gm, by="month", since=dt.date(2010, 1, 1), until=day)
    assert long.value.fields == {"until": "统计期间最长五年"}
    with pytest.raises(Invalid):
        stats.sales_statistics(actor=org.gm, by="weekday", since=day, until=day)


def test_the_export_keeps_a_formula_like_product_name_as_text_and_is_logged(
    org, year_of_sales, catalogue
):
    export = services.statistics_export(
        actor=org.manager, by="product", currency="CNY", **year_of_sales
    )
    assert export.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "销售统计（产品）" in cells
    # 销售一部's sales only: rep_a's two and rep_b's one
    names = [v for v in cells if isinstance(v, str) and "HYPERLINK" in v]
    assert names
    assert all(
        cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value in names
    )
    assert 18000.0 in cells
    assert 25000.0 not in cells
    pdf = services.statistics_export(
        actor=org.gm, by="month", currency="CNY", fmt="pdf", **year_of_sales
    )
    assert pdf.content.startswith(b"%PDF")
    assert pdf.content_type == "application/pdf"
    logged = AuditEvent.objects.filter(verb="report.exported").order_by("id")
    assert [e.changes["report"][1] for e in logged] == [
        "orders.statistics.product",
        "orders.statistics.month",
    ]
    with pytest.raises(PermissionDenied):
        services.statistics_export(
            actor=org.receptionist, by="month", currency="CNY", **year_of_sales
        )


# --- through the API and on the page -------------------------------------------------------


def test_the_api_answers_the_statistics_and_its_files(org, call, year_of_sales):
    period = "since=2026-01-01&until=2026-03-31"
    body = call(org.manager, "GET", f"sales/statistics?by=department&{period}").json()
    assert (body["orders"], body["amount"], body["currency"]) == (3, "18000.00", "CNY")
    assert [(r["label"], r["orders"], r["amount"]) for r in body["rows"]] == [
        ("销售一部", 3, "18000.00")
    ]
    # the dates the other way round mean the period between them
    flipped = call(org.gm, "GET", "sales/statistics?since=2026-03-31&until=2026-01-01").json()
    assert [r["key"] for r in flipped["rows"]] == ["2026-01", "2026-02", "2026-03"]
    refused = call(org.gm, "GET", "sales/statistics?by=weekday")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid"
    assert call(org.sysadmin, "GET", "sales/statistics").status_code == 403
    xlsx = call(org.gm, "GET", f"sales/statistics.xlsx?by=rep&{period}")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    pdf = call(org.gm, "GET", f"sales/statistics.pdf?by=source&{period}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_the_statistics_page_shows_the_table_the_chart_and_the_exports(as_user, org, year_of_sales):
    client = as_user(org.manager)
    page = client.get("/orders/statistics/?by=rep&since=2026-01-01&until=2026-03-31")
    html = page.content.decode()
    assert page.status_code == 200
    assert org.rep_a.display_name in html
    assert org.rep_c.display_name not in html
    assert 'data-chart="statistics-chart"' in html
    assert "导出 PDF" in html
    assert 'aria-current="page">按销售人员' in html
    rep = as_user(org.rep_a).get("/orders/statistics/?by=month&since=2026-01-01&until=2026-03-31")
    assert "13,000" in rep.content.decode()
    assert 'name="department"' not in rep.content.decode()
    export = as_user(org.gm).get("/orders/statistics/export/pdf/?by=product")
    assert export.status_code == 200
    assert export.content.startswith(b"%PDF")
    assert as_user(org.gm).get("/orders/statistics/export/doc/").status_code == 404
    bad = as_user(org.gm).get("/orders/statistics/?currency=XYZ")
    assert bad.status_code == 400
