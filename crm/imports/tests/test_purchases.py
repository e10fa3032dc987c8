"""A shop's purchase history (购买记录; 电子商务-网店客户管理: 顾客的消费记录) imported for
customers already in the system: each row one product bought on a day, named by its catalogue
code or name; it becomes a closed order counted in the sales statistics on that day; a shop order
number is recorded once; the import can be undone while its orders are as recorded."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.core.errors import StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.imports import fields, services
from crm.imports.models import ImportJob, ImportRow, Outcome, Target
from crm.orders import services as orders
from crm.orders import stats
from crm.orders.models import Order, OrderState
from crm.orders.tests.factories import make_product

from .files import crash_on_batch, xlsx

HEADER = [
    "买家会员名",
    "订单号",
    "下单时间",
    "宝贝标题",
    "购买数量",
    "商品单价",
    "支付方式",
    "买家留言",
]


def upload(actor, rows) -> ImportJob:
    data = xlsx(rows)
    return services.import_upload(
        actor=actor,
        stream=io.BytesIO(data),
        name="网店订单.xlsx",
        size=len(data),
        target=Target.PURCHASES,
    )


def run(actor, job: ImportJob) -> ImportJob:
    services.import_start(actor=actor, job_id=job.pk)
    services.import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_shop_export_is_mapped_from_its_header():
    assert fields.guess(HEADER, Target.PURCHASES) == {
        "0": "customer",
        "1": "external_number",
        "2": "order_date",
        "3": "product",
        "4": "quantity",
        "5": "unit_price",
        "6": "payment_method",
        "7": "notes",
    }


def test_purchases_become_closed_orders_counted_as_sales_on_their_day(org):
    # given two buyers of the rep's and a catalogue of two products
    lamp = make_product(
        org, code="D-01", name="护眼台灯", prices=[{"currency": "CNY", "price": "199"}]
    )
    make_product(org, code="D-02", name="落地灯", prices=[{"currency": "CNY", "price": "399"}])
    star = make_customer(org.rep_a, name="王芳", phone="13900001111")
    moon = make_customer(org.rep_a, name="李娜", phone="13900002222")
    rows = [
        HEADER,
        [star.number, "T1001", "2026-03-05 14:30:00", "护眼台灯", 2, 189, "支付宝", "周末送达"],
        ["13900002222", "T1002", dt.datetime(2026, 4, 1, 9, 0), "D-02", 1, None, "微信", ""],  # noqa: DTZ001
        [star.number, "T1001", "2026-03-05", "护眼台灯", 2, 189, "", ""],  # the same order again
        ["李娜", "T1003", "2026/4/2", "不存在的灯", 1, 99, "", ""],
        ["李娜", "T1004", "2099-01-01", "护眼台灯", 1, 99, "", ""],
        ["没有这位", "T1005", "2026-04-03", "护眼台灯", 1, 99, "", ""],
    ]
    job = upload(org.manager, rows)
    assert (job.dry_run["valid"], job.dry_run["invalid"], job.dry_run["duplicates_in_file"]) == (
        3,
        3,
        1,
    )

    job = run(org.manager, job)

    assert (job.created_count, job.skipped_count, job.failed_count) == (2, 1, 3)
    first = Order.objects.get(external_number="T1001")
    assert (first.customer, first.state, first.order_date, first.confirmed_on) == (
        star,
        OrderState.CLOSED,
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 5),
    )
    assert (first.total, first.payment_method, first.notes) == (
        Decimal("378.00"),
        "online",
        "周末送达",
    )
    assert first.lines.get().product == lamp
    second = Order.objects.get(external_number="T1002")
    assert (second.customer, second.total) == (moon, Decimal("399.00"))  # the price list's
    failed = {r.row: r.message for r in ImportRow.objects.filter(job=job, outcome=Outcome.FAILED)}
    assert "找不到产品“不存在的灯”" in failed[5]
    assert "购买日期不能晚于今天" in failed[6]
    assert "找不到客户“没有这位”" in failed[7]
    # the sale is the owner's, on the day of the purchase
    report = stats.sales_statistics(
        actor=org.gm, by="rep", since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30)
    )
    assert [(r.key, r.orders, r.amount) for r in report.rows] == [
        (str(org.rep_a.pk), 2, Decimal("777.00"))
    ]
    assert AuditEvent.objects.filter(verb="order.purchase_recorded").count() == 2


def test_importing_the_same_shop_export_twice_adds_nothing(org):
    make_product(org, code="D-01", name="护眼台灯")
    star = make_customer(org.rep_a, name="王芳")
    rows = [
        HEADER,
        [star.number, "T1001", "2026-03-05", "D-01", 1, 100, "", ""],
        [star.number, "", "2026-03-06", "D-01", 3, 100, "", ""],  # no order number
    ]
    assert run(org.manager, upload(org.manager, rows)).created_count == 2
    again = upload(org.manager, rows)
    assert again.dry_run["duplicates_existing"] == 2
    assert run(org.manager, again).skipped_count == 2
    assert Order.objects.count() == 2


def test_a_purchase_import_is_undone_while_its_orders_are_as_recorded(
    org, django_capture_on_commit_callbacks
):
    make_product(org, code="D-01", name="护眼台灯")
    star = make_customer(org.rep_a, name="王芳")
    rows = [
        HEADER,
        [star.number, "T1", "2026-03-05", "D-01", 1, 100, "", ""],
        [star.number, "T2", "2026-03-06", "D-01", 1, 100, "", ""],
    ]
    job = run(org.manager, upload(org.manager, rows))
    # one of them was corrected since (its version moved on): the undo keeps it
    Order.objects.filter(external_number="T2").update(version=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_undo(actor=org.manager, job_id=job.pk)
    job.refresh_from_db()
    assert (job.undo_removed, job.undo_kept) == (1, 1)
    assert list(Order.objects.values_list("external_number", flat=True)) == ["T2"]
    assert AuditEvent.objects.filter(verb="order.purchase_removed").count() == 1


def test_a_purchase_is_recorded_once_per_shop_order_number(org):
    lamp = make_product(org, code="D-01", name="护眼台灯")
    star = make_customer(org.rep_a, name="王芳")
    data = {"order_date": "2026-03-05", "product": lamp.pk, "quantity": 1, "external_number": "T9"}
    orders.purchase_record(actor=org.rep_a, customer_id=star.pk, data=data)
    with pytest.raises(StateConflict):
        orders.purchase_record(actor=org.rep_a, customer_id=star.pk, data=data)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    from crm.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        orders.purchase_record(
            actor=org.rep_a,
            customer_id=star.pk,
            data={**data, "external_number": "", "order_date": tomorrow.isoformat()},
        )
    assert "order_date" in refused.value.fields


def test_a_purchase_of_a_product_not_in_the_catalogue_names_the_product_field(org, call):
    star = make_customer(org.rep_a, name="王芳")
    response = call(
        org.rep_a,
        "POST",
        f"customers/{star.pk}/purchases",
        {"order_date": "2026-03-05", "product": 999_999, "quantity": 1},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"product"}


def shop_order_rows(star) -> list[list[object]]:
    """A shop export: order T1001 of three items, one row each (a repeated row of an item among
    them), and order T1002 of one."""
    return [
        HEADER,
        [star.number, "T1001", "2026-03-05 14:30:00", "护眼台灯", 2, 189, "支付宝", "周末送达"],
        [star.number, "T1001", "2026-03-05 14:30:00", "落地灯", 1, 399, "支付宝", ""],
        [star.number, "T1001", "2026-03-05 14:30:00", "护眼台灯", 2, 189, "支付宝", ""],  # again
        [star.number, "T1002", "2026-03-06", "落地灯", 1, None, "", ""],
        [star.number, "T1001", "2026-03-05 14:30:00", "灯泡", 3, 10, "支付宝", ""],
    ]


@pytest.fixture
def catalogue(org):
    for code, name, price in (("D-01", "护眼台灯", "199"), ("D-02", "落地灯", "399")):
        make_product(org, code=code, name=name, prices=[{"currency": "CNY", "price": price}])
    make_product(org, code="D-03", name="灯泡", prices=[{"currency": "CNY", "price": "10"}])


def test_a_shop_order_of_several_items_becomes_one_order_with_a_line_per_item(
    org, catalogue, as_user
):
    star = make_customer(org.rep_a, name="王芳", phone="13900001111")
    job = upload(org.manager, shop_order_rows(star))
    # the dry run: five valid rows, the repeated item a duplicate within the file
    assert (job.dry_run["valid"], job.dry_run["duplicates_in_file"]) == (5, 1)

    job = run(org.manager, job)

    assert (job.created_count, job.skipped_count, job.failed_count) == (4, 1, 0)
    order = Order.objects.get(external_number="T1001")
    assert [(line.product.name, line.quantity, line.amount) for line in order.lines.all()] == [
        ("护眼台灯", Decimal("2.00"), Decimal("378.00")),
        ("落地灯", Decimal("1.00"), Decimal("399.00")),
        ("灯泡", Decimal("3.00"), Decimal("30.00")),
    ]
    assert (order.total, order.notes, order.version) == (Decimal("807.00"), "周末送达", 1)
    assert Order.objects.count() == 2
    joined = ImportRow.objects.get(job=job, row=3)
    assert (joined.outcome, joined.object_id, joined.message) == (
        Outcome.CREATED,
        order.pk,
        "并入第 2 行的订单",
    )
    assert "与第 2 行重复" in ImportRow.objects.get(job=job, row=4).message
    assert AuditEvent.objects.filter(verb="order.purchase_line_added").count() == 2
    # the sales statistics count one order of T1001's whole amount
    report = stats.sales_statistics(
        actor=org.gm, by="rep", since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31)
    )
    assert [(r.orders, r.amount) for r in report.rows] == [(2, Decimal("1206.00"))]
    # the result page counts the rows and the orders they made
    page = as_user(org.manager).get(reverse("web:import_detail", args=[job.pk])).content.decode()
    assert "（2 个订单）" in page

    # importing the export again adds nothing: every row of both orders is skipped
    again = run(org.manager, upload(org.manager, shop_order_rows(star)))
    assert (again.created_count, again.skipped_count) == (0, 5)
    assert order.lines.count() == 3


def test_the_items_of_a_shop_order_join_it_across_batches_and_after_a_crash(
    org, catalogue, monkeypatch
):
    from crm.imports import rows as rows_module

    monkeypatch.setattr(rows_module, "BATCH", 2)
    star = make_customer(org.rep_a, name="王芳")
    job = upload(org.manager, shop_order_rows(star))
    services.import_start(actor=org.manager, job_id=job.pk)
    mended = crash_on_batch(monkeypatch, services._RelatedWriter, 2, RuntimeError("power cut"))
    with pytest.raises(RuntimeError):
        services.import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.checkpoint == 3  # rows 2 and 3: T1001's first two items

    mended()
    job = run(org.manager, job)

    assert (job.created_count, job.skipped_count) == (4, 1)
    order = Order.objects.get(external_number="T1001")
    assert [line.product.name for line in order.lines.all()] == ["护眼台灯", "落地灯", "灯泡"]
    assert Order.objects.count() == 2


def test_a_shop_order_of_several_items_is_undone_whole(
    org, catalogue, django_capture_on_commit_callbacks
):
    star = make_customer(org.rep_a, name="王芳")
    job = run(org.manager, upload(org.manager, shop_order_rows(star)))
    with django_capture_on_commit_callbacks(execute=True):
        services.import_undo(actor=org.manager, job_id=job.pk)
    job.refresh_from_db()
    assert (job.undo_removed, job.undo_kept) == (4, 0)
    assert not Order.objects.exists()


def test_an_item_in_another_currency_than_its_order_fails_with_the_reason(org, catalogue):
    star = make_customer(org.rep_a, name="王芳")
    header = [*HEADER, "币种"]
    rows = [
        header,
        [star.number, "T1", "2026-03-05", "D-01", 1, 100, "", "", "人民币"],
        [star.number, "T1", "2026-03-05", "D-02", 1, 50, "", "", "美元"],
    ]
    job = run(org.manager, upload(org.manager, rows))
    assert (job.created_count, job.failed_count) == (1, 1)
    assert ImportRow.objects.get(job=job, row=3).message == "币种与同一订单的其他商品不一致"
    assert Order.objects.get().total == Decimal("100.00")
