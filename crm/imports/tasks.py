"""The import's background run (``crm worker``): an adapter over ``services.import_run``."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> str:
    """Run or resume one import; returns its state."""
    from . import services

    job = services.import_run(job_id=job_id)
    return job.state if job is not None else ""


@task()
def undo_import(job_id: int, actor_id: int) -> int:
    """Undo one import; returns how many customers went to the recycle bin."""
    from . import services

    job = services.import_undo_run(job_id=job_id, actor_id=actor_id)
    return job.undo_removed if job is not None else 0


@task()
def check_import(job_id: int, token: int) -> str:
    """A large file's dry run; returns the job's state after it."""
    from . import services

    job = services.import_check_run(job_id=job_id, token=token)
    return job.state if job is not None else ""
