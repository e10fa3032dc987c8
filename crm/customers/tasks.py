"""Background jobs of the customers app (run by ``crm worker``)."""

from __future__ import annotations

from django_tasks import task

from crm.core import context


@task()
def recompute_due_for_grades(grades: list[str]) -> int:
    """After the grade table changed: recompute the due dates of those grades' customers."""
    from .lifecycle import recompute_due_sql

    with context.bind(job_id="recompute_due"):
        return recompute_due_sql(grades=grades)
