"""Reads of retrieval requests, through ``restrict()``."""

from __future__ import annotations

from django.db.models import QuerySet

from crm.accounts.models import User
from crm.accounts.roles import VIEW_DATA_REQUEST
from crm.core.permissions import restrict
from crm.customers import selectors as customer_selectors

from .models import DataRequest


def request_list(*, actor: User, limit: int = 100) -> list[DataRequest]:
    """The requests the actor may see (their own; their departments'; all), newest first."""
    qs: QuerySet[DataRequest] = restrict(DataRequest.objects.all(), actor, VIEW_DATA_REQUEST)
    return list(qs.select_related("requested_by", "department").order_by("-id")[:limit])


def matching(*, actor: User, filters: customer_selectors.CustomerFilters, limit: int) -> int:
    """How many customers a request of ``filters`` would hold (up to ``limit`` + 1: more than
    one request may take), as the request itself will choose them."""
    return len(customer_selectors.customer_ids(actor=actor, filters=filters, limit=limit + 1))
