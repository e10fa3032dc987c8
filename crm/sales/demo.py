"""``crm demo --industry``: the industry's pipeline installed (and made the default) by the demo
company's first user who sets up pipelines, with made-up open and closed opportunities of its
intention and retained customers (bulk INSERTs, then the tally recounted; one audit row)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_PIPELINE
from crm.core import bulk
from crm.core.errors import Invalid
from crm.core.permissions import has_action
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.governance import audit

from . import selectors, services, tally
from .models import LostReason, Opportunity, Pipeline

NAMES = {
    "realestate": ["三居室认购", "学区房意向", "商铺投资", "改善型住房"],
    "auto": ["新车购买", "置换升级", "家庭第二辆车"],
    "truck": ["牵引车批量采购", "车队更新", "冷链车采购"],
    "trade": ["年度订单", "样品试单", "OEM 定制"],
    "shop": ["批量订购", "节日礼品采购", "定制款"],
}


@transaction.atomic
def install_demo(*, industry: str, customers: int = 300) -> tuple[Pipeline, int]:
    """Install ``industry``'s pipeline as the default and give up to ``customers`` intention
    and retained customers an opportunity each. Returns the pipeline and how many were made."""
    manager = next(
        (
            u
            for u in User.objects.filter(is_active=True).order_by("id")
            if has_action(u, MANAGE_PIPELINE)
        ),
        None,
    )
    if manager is None:
        raise Invalid(_("没有可以设置销售流程的用户"))
    pipeline = services.pipeline_install(actor=manager, industry=industry)
    Pipeline.objects.exclude(pk=pipeline.pk).update(is_default=False)
    Pipeline.objects.filter(pk=pipeline.pk).update(is_default=True)
    if Opportunity.objects.filter(pipeline=pipeline).exists():
        return pipeline, 0
    rng = random.Random(f"sales-{industry}")
    stages = selectors.stages_of(pipeline)
    reasons = list(LostReason.objects.filter(active=True))
    now = timezone.now()
    rows = []
    chosen = Customer.objects.alive().filter(
        category__in=(Category.INTENTION, Category.RETAINED), owner__isnull=False
    )
    for customer in chosen.select_related("owner").order_by("id")[:customers]:
        stage = rng.choice(stages)
        active = now - dt.timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23))
        status = "won" if customer.category == Category.RETAINED else "open"
        if status == "open" and reasons and rng.random() < 0.15:
            status = "lost"
        rows.append(
            {
                "name": rng.choice(NAMES.get(industry, ["销售机会"])),
                "customer_id": customer.pk,
                "pipeline_id": pipeline.pk,
                "stage_id": stage.pk,
                "status": status,
                "amount": Decimal(rng.randrange(20_000, 3_000_000, 1000)),
                "currency": "USD" if industry == "trade" else "CNY",
                "expected_close_on": timezone.localdate()
                + dt.timedelta(days=rng.randint(-10, 150)),
                "owner_id": customer.owner_id,
                "department_id": customer.owner.department_id if customer.owner else None,
                "stage_entered_at": active,
                "last_activity_at": active,
                "furthest_position": stage.position,
                "closed_at": None if status == "open" else active,
                "won_on": timezone.localdate(active) if status == "won" else None,
                "lost_reason_id": rng.choice(reasons).pk if status == "lost" else None,
                "created_by_id": customer.owner_id,
            }
        )
    made = bulk.insert_rows(Opportunity, rows)
    tally.rebuild()
    audit.record(
        actor=manager,
        verb="opportunity.created",
        object_type="sales.opportunity",
        details={"demo": industry, "count": made},
    )
    return pipeline, made
