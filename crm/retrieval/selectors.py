"""Reads of retrieval requests, through ``restrict()``."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from crm.accounts.models import User
from crm.accounts.roles import VIEW_DATA_REQUEST
from crm.core.permissions import restrict
from crm.customers import selectors as customer_selectors

from .models import DataRequest, RequestItem


def request_list(*, actor: User, limit: int = 100) -> list[DataRequest]:
    """The requests the actor may see (their own; their departments'; all), newest first."""
    qs: QuerySet[DataRequest] = restrict(DataRequest.objects.all(), actor, VIEW_DATA_REQUEST)
    return list(qs.select_related("requested_by", "department").order_by("-id")[:limit])


def matching(*, actor: User, filters: customer_selectors.CustomerFilters, limit: int) -> int:
    """How many customers a request of ``filters`` would hold (up to ``limit`` + 1: more than
    one request may take), as the request itself will choose them."""
    return len(customer_selectors.customer_ids(actor=actor, filters=filters, limit=limit + 1))


def exports_of_customer(customer_id: int) -> Q:
    """The access log's events of the exports that held ``customer_id`` (registered with
    ``crm.governance.selectors.on_customer_events``)."""
    requests = [
        str(pk)
        for pk in RequestItem.objects.filter(customer_id=customer_id)
        .values_list("request_id", flat=True)
        .distinct()[:1000]
    ]
    if not requests:
        return Q(pk__in=[])
    return Q(object_type="retrieval.datarequest", verb="retrieval.exported", object_id__in=requests)
