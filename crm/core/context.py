"""Per-request (or per-job) context: who acts, from where, under which correlation id.

Middleware sets it for web and API requests; jobs and commands set it with ``bind()``. The audit
writer reads it so that services need not pass request details around (NetBox's context vars).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    job_id: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("crm_request_context", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def bind(
    *, request_id: str = "", ip: str | None = None, job_id: str = ""
) -> Iterator[RequestContext]:
    ctx = RequestContext(request_id=request_id or new_request_id(), ip=ip, job_id=job_id)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
