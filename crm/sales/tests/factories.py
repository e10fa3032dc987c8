from __future__ import annotations

from typing import Any

from crm.accounts.models import User
from crm.customers.models import Customer
from crm.sales import services
from crm.sales.models import Opportunity, Pipeline, Stage
from crm.sales.selectors import pipeline_get, stages_of


def default() -> Pipeline:
    pipeline = pipeline_get(None)
    assert pipeline is not None
    return pipeline


def stages() -> list[Stage]:
    """The default pipeline's stages: 初步接洽 10%, 需求确认 25%, 方案报价 50%, 商务谈判 75%,
    合同签订 90% (stale after 14, 14, 10, 7, 7 days)."""
    pipeline = pipeline_get(None)
    assert pipeline is not None
    return stages_of(pipeline)


def make_opportunity(rep: User, customer: Customer, **data: Any) -> Opportunity:
    """An opportunity entered through the real service by ``rep``."""
    data.setdefault("name", "办公设备采购")
    data.setdefault("amount", "100000")
    return services.opportunity_create(actor=rep, data={"customer": customer.pk, **data})
