"""The service department's background work: escalating overdue complaints, run every few
minutes by the workday scheduler (crm.activities.tasks ``on_every``, registered in
``ServiceConfig.ready``). Idempotent and safe in several workers at once: each level of each
complaint is claimed by one conditional UPDATE (crm.service.services.complaints_escalate)."""

from __future__ import annotations

from crm.core import context

from . import services

ESCALATE_NAME = "complaints_escalate"
ESCALATE_EVERY_MINUTES = 5


def escalate_overdue() -> int:
    with context.bind(job_id=ESCALATE_NAME):
        return services.complaints_escalate()
