"""Reads of imports, through ``restrict()``: the importer's own, their department's (managers,
directors), all (the data administrator, the general manager)."""

from __future__ import annotations

from django.db.models import QuerySet

from crm.accounts.models import User
from crm.accounts.roles import IMPORT_CUSTOMERS
from crm.core.permissions import require, restrict

from .models import ImportJob, ImportRow, Outcome, Target


def import_list(*, actor: User, limit: int = 50) -> list[ImportJob]:
    require(actor, IMPORT_CUSTOMERS)
    qs: QuerySet[ImportJob] = restrict(ImportJob.objects.all(), actor, IMPORT_CUSTOMERS)
    return list(qs.select_related("created_by").order_by("-id")[:limit])


def failed_rows(*, job: ImportJob, limit: int = 20) -> list[ImportRow]:
    """The first failed rows of a job the caller was given (``services.import_get``)."""
    return list(ImportRow.objects.filter(job=job, outcome=Outcome.FAILED).order_by("row")[:limit])


def orders_made(*, job: ImportJob) -> int | None:
    """How many orders a purchase import made (a shop order of several items is one order of
    several rows); None for the other imports."""
    if job.target != Target.PURCHASES:
        return None
    made = ImportRow.objects.filter(job=job, outcome=Outcome.CREATED, object_id__isnull=False)
    return made.values("object_id").distinct().count()
