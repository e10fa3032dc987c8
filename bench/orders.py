"""``orders`` (issue 11): orders, their contract reviews and payments over the loaded customers,
in a transaction rolled back at the end (the loaded database stays as it was):

- setup (timed, not the point): a catalogue of 50 products, ``ORDERS`` orders (20,000 by
  default; never more than the customers) of the first customers, two lines each, written in
  bulk: a tenth under review (a round of five pending department reviews), half confirmed with
  a plan of two instalments (the first one overdue on every other order) and a receipt on
  every fourth;
- reads: a rep's and a manager's order list (a page of 200), a review queue of 品质部 over all
  orders under review, the overdue instalments (催款) and planned against received per month
  for the general manager, the order page and the printable PDF;
- one order's whole procedure, ``FLOWS`` times: registered, submitted, reviewed by the five
  departments, signed by the general manager (the customer becomes retained).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import Department, User
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.orders import selectors, services
from crm.orders.models import (
    ContractReview,
    Instalment,
    Order,
    OrderLine,
    OrderState,
    Receipt,
    ReviewArea,
    ReviewRow,
)
from crm.products.models import Product, ProductPrice

from . import measure
from .load import Staff

KEY = "orders"
ORDERS = 20_000
FLOWS = 10
BATCH = 2_000
REVIEWERS = {
    "capacity": "pmc",
    "quality": "quality",
    "technical": "rnd",
    "equipment": "production",
    "material": "purchasing",
}
REQUIREMENTS = {"stated_quality": "出厂检验合格", "stated_delivery": "30 天内交付"}


def _timed(label: str, fn: Callable[[], str], say: Callable[[str], None]) -> float:
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        detail = fn()
    seconds = time.perf_counter() - start
    say(f"  {label:<38} {seconds * 1000:>9.1f} ms  {len(queries):>4} queries   {detail}")
    return seconds


def _user(username: str, role: str, department: Department | None) -> User:
    found = User.objects.filter(username=username).first()
    return found or accounts.user_create(
        actor=None,
        username=username,
        password="bench-orders-1",
        role=role,
        department=department,
        full_name=username,
        validate_password=False,
    )


def _load(staff: Staff, n: int, gm: User) -> list[Product]:
    products = Product.objects.bulk_create(
        Product(code=f"BENCH-{i:03d}", name=f"基准产品{i}", unit="台", created_by=gm)
        for i in range(50)
    )
    ProductPrice.objects.bulk_create(
        ProductPrice(product=p, currency="CNY", price=Decimal(100 + i))
        for i, p in enumerate(products)
    )
    customers = list(Customer.objects.alive().order_by("pk").values_list("pk", flat=True)[:n])
    today = timezone.localdate()
    for start in range(0, len(customers), BATCH):
        chunk = customers[start : start + BATCH]
        orders = []
        for k, customer_id in enumerate(chunk, start=start):
            state = (
                OrderState.REVIEW
                if k % 10 == 0
                else OrderState.CONFIRMED
                if k % 2
                else OrderState.DRAFT
            )
            orders.append(
                Order(
                    customer_id=customer_id,
                    state=state,
                    order_date=today - dt.timedelta(days=k % 365),
                    total=Decimal(2 * (100 + k % 50) + 2 * (100 + (k + 1) % 50)),
                    created_by=gm,
                )
            )
        orders = Order.objects.bulk_create(orders, batch_size=BATCH)
        lines, rounds, plans, receipts = [], [], [], []
        for k, order in enumerate(orders, start=start):
            for pos, idx in enumerate((k % 50, (k + 1) % 50), start=1):
                price = Decimal(100 + idx)
                lines.append(
                    OrderLine(
                        order=order,
                        position=pos,
                        product=products[idx],
                        quantity=Decimal(2),
                        unit_price=price,
                        amount=price * 2,
                    )
                )
            if order.state == OrderState.REVIEW:
                rounds.append(ContractReview(order=order, round=1, submitted_by=gm, **REQUIREMENTS))
            if order.state == OrderState.CONFIRMED:
                half = (order.total / 2).quantize(Decimal("0.01"))
                first = today - dt.timedelta(days=10 if k % 4 == 1 else -10)
                plans += [
                    Instalment(order=order, position=1, due_on=first, amount=half),
                    Instalment(
                        order=order,
                        position=2,
                        due_on=first + dt.timedelta(days=30),
                        amount=order.total - half,
                    ),
                ]
                if k % 4 == 3:
                    receipts.append(
                        Receipt(order=order, received_on=today, amount=half, recorded_by=gm)
                    )
        OrderLine.objects.bulk_create(lines, batch_size=BATCH)
        made = ContractReview.objects.bulk_create(rounds, batch_size=BATCH)
        ReviewRow.objects.bulk_create(
            (ReviewRow(review=r, area=a) for r in made for a in ReviewArea.values),
            batch_size=BATCH,
        )
        Instalment.objects.bulk_create(plans, batch_size=BATCH)
        Receipt.objects.bulk_create(receipts, batch_size=BATCH)
    return products


def run(staff: Staff, customers: int, say: Callable[[str], None]) -> None:
    n = min(ORDERS, customers)
    say(f"Orders and contract review over {n:,} orders:")
    with transaction.atomic():
        department = staff.managers[0].department
        head = department.parent if department and department.parent else department
        gm = _user("bench_orders_gm", "gm", head)
        reviewers = {area: _user(f"bench_{role}", role, head) for area, role in REVIEWERS.items()}
        started = time.perf_counter()
        products = _load(staff, n, gm)
        say(f"  {'setup (bulk)':<38} {time.perf_counter() - started:>9.2f} s")
        rep, manager = staff.reps[0], staff.managers[0]
        every = selectors.OrderFilters()

        def listing(actor: User, filters: selectors.OrderFilters) -> Callable[[], str]:
            return lambda: f"{len(selectors.order_list(actor=actor, filters=filters))} orders"

        _timed("order list, rep", listing(rep, every), say)
        _timed("order list, manager", listing(manager, every), say)
        _timed(
            "order list, GM, under review",
            listing(gm, selectors.OrderFilters(state=OrderState.REVIEW)),
            say,
        )
        quality = reviewers["quality"]
        _timed(
            "review queue, 品质部",
            lambda: f"{len(selectors.review_queue(actor=quality))} orders waiting",
            say,
        )
        today = timezone.localdate()
        _timed(
            "overdue instalments, GM",
            lambda: f"{len(selectors.overdue_instalments(actor=gm, today=today))} overdue",
            say,
        )
        _timed(
            "planned vs received by month, GM",
            lambda: f"{len(selectors.payments_by_month(actor=gm, year=today.year))} months",
            say,
        )
        some = Order.objects.filter(state=OrderState.CONFIRMED).order_by("pk").first()
        assert some is not None
        client = measure.client()
        client.force_login(gm)

        def page() -> str:
            response = client.get(f"/orders/{some.pk}/")
            return f"HTTP {response.status_code}, {len(response.content) / 1024:.0f} KB"

        def pdf() -> str:
            response = client.get(f"/orders/{some.pk}/pdf/")
            return f"HTTP {response.status_code}, {len(response.content) / 1024:.0f} KB"

        _timed("order page", page, say)
        _timed("order PDF", pdf, say)
        buyers = list(
            Customer.objects.alive()
            .filter(category=Category.INTENTION, owner__in=staff.reps)
            .select_related("owner")
            .order_by("pk")[:FLOWS]
        )

        def flow() -> str:
            for customer in buyers:
                owner = customer.owner
                assert owner is not None
                order = services.order_create(
                    actor=owner,
                    data={
                        "customer": customer.pk,
                        "lines": [{"product": products[0].pk, "quantity": 1}],
                    },
                )
                services.order_submit(
                    actor=owner, order_id=order.pk, data={"version": 1, **REQUIREMENTS}
                )
                for area, user in reviewers.items():
                    services.review_decide(
                        actor=user, order_id=order.pk, area=area, data={"approve": True}
                    )
                services.order_sign(actor=gm, order_id=order.pk, data={"approve": True})
            confirmed = Order.objects.filter(
                customer__in=buyers, state=OrderState.CONFIRMED, created_by__in=staff.reps
            ).count()
            return f"{len(buyers)} orders, {confirmed} confirmed"

        seconds = _timed(f"whole procedure × {len(buyers)}", flow, say)
        if buyers:
            say(f"  {'  per order':<38} {seconds * 1000 / len(buyers):>9.1f} ms")
        transaction.set_rollback(True)
