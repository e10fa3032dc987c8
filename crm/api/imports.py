"""Imports (客户导入: customers; the contacts and follow-up records of existing customers):
upload a file, read the guessed column mapping and the dry run, correct the mapping and choose
what duplicates do, start the background run, follow its progress, cancel it, read the result
and the error file, undo it. Thin adapters over crm.imports."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from crm.accounts.roles import IMPORT_CUSTOMERS
from crm.core.errors import Invalid
from crm.imports import fields, selectors, services
from crm.imports.models import ImportJob, Target

from .schemas import ErrorOut, Out, PathId
from .security import require_actor

router = Router(tags=["imports"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}
_XLSX = {
    "responses": {
        200: {
            "description": "Excel 工作簿（.xlsx）",
            "content": {services.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class ColumnOut(Out):
    field: str
    title: str
    required: bool


class ProgressOut(Out):
    state: str = Field(
        description=(
            "checking 预检中 (a large file's dry run in the background; done_rows: rows "
            "checked) / ready 待导入 / queued / running / done / cancelled / failed 中断 / undone"
        )
    )
    total_rows: int
    done_rows: int
    percent: int
    created: int
    updated: int
    skipped: int
    failed: int
    rate: float = Field(description="每秒处理行数")
    eta_seconds: int | None
    cancel_requested: bool
    message: str


TargetField = Field(
    Target.CUSTOMERS,
    description="导入内容：customers 客户 / contacts 已有客户的联系人 / "
    "followups 已有客户的跟进记录",
    json_schema_extra={"enum": list(Target.values)},
)


class TargetIn(Out):
    target: str = TargetField


class ImportOut(ProgressOut):
    target: str
    id: int
    number: str
    file_name: str
    created_at: dt.datetime
    header_row: int
    headers: list[str]
    mapping: dict[str, str] = Field(description="列序号（从 0 起）→ 客户字段")
    duplicates: str = Field(description="skip 跳过 / update 更新已有客户 / new 作为新客户")
    dry_run: dict[str, Any] = Field(
        description="预检：rows, valid, invalid, duplicates_existing, duplicates_in_file, errors"
    )
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    undone_at: dt.datetime | None
    undo_removed: int
    undo_kept: int


class MappingIn(Out):
    mapping: dict[str, str] | None = Field(
        None, description="列序号 → 字段（GET /imports/columns）；空字符串为不导入"
    )
    duplicates: str | None = Field(None, description="skip / update / new")
    saved: int | None = Field(None, description="按已保存的列对应方案（id）对应")


class SavedMappingIn(Out):
    job: int = Field(ge=1, description="导入 id：保存它当前的列对应")
    name: str = Field(max_length=50)


class SavedMappingOut(Out):
    id: int
    name: str
    columns: dict[str, str] = Field(description="表头文字 → 字段")


def _progress(job: ImportJob) -> dict[str, Any]:
    return {
        "state": job.state,
        "total_rows": job.total_rows,
        "done_rows": job.done_rows,
        "percent": job.percent,
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "failed": job.failed_count,
        "rate": round(job.rate, 1),
        "eta_seconds": job.eta_seconds,
        "cancel_requested": job.cancel_requested,
        "message": job.message,
    }


def _out(job: ImportJob) -> dict[str, Any]:
    return {
        **_progress(job),
        "id": job.pk,
        "number": job.number,
        "target": job.target,
        "file_name": job.file_name,
        "created_at": job.created_at,
        "header_row": job.header_row,
        "headers": job.headers,
        "mapping": job.mapping,
        "duplicates": job.duplicates,
        "dry_run": job.dry_run,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "undone_at": job.undone_at,
        "undo_removed": job.undo_removed,
        "undo_kept": job.undo_kept,
    }


def _xlsx(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("imports/columns", response={200: list[ColumnOut], **_READ})
def import_columns(request: HttpRequest, query: Query[TargetIn]) -> list[dict[str, Any]]:
    """The columns an import of ``target`` takes (its entity's declared input; a contact's or
    follow-up's customer column first)."""
    require_actor(request, IMPORT_CUSTOMERS)
    target = _target(query.target)
    return [
        {"field": c.field, "title": c.title, "required": c.required} for c in fields.columns(target)
    ]


@router.get("imports/template", response={200: None, **_READ}, openapi_extra=_XLSX)
def import_template(request: HttpRequest, query: Query[TargetIn]) -> HttpResponse:
    """The import template of ``target``: the columns' Chinese titles (required ones marked *)."""
    require_actor(request, IMPORT_CUSTOMERS)
    target = _target(query.target)
    return _xlsx(fields.SHAPES[target].file_name, fields.template(target))


def _target(value: str) -> str:
    if value not in Target.values:
        raise Invalid(fields={"target": _("不是有效的选项")})
    return value


@router.get("imports", response={200: list[ImportOut], **_READ})
def import_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The imports the caller may see (their own; their departments'), newest first."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return [_out(j) for j in selectors.import_list(actor=actor)]


@router.post("imports", response={201: ImportOut, **_WRITE})
def import_upload(
    request: HttpRequest, file: File[UploadedFile], form: Form[TargetIn]
) -> Status[Any]:
    """Upload a file (multipart ``file``: .xlsx, .xls or .csv in UTF-8 or GBK; ``target``:
    customers, or the contacts or follow-up records of existing customers): its header is
    found, the column mapping guessed and every row checked (the dry run); nothing is written
    until ``start``."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    job = services.import_upload(
        actor=actor,
        stream=cast(IO[bytes], file),
        name=file.name or "",
        size=file.size or 0,
        target=form.target,
    )
    return Status(201, _out(job))


@router.get("imports/{int:job_id}", response={200: ImportOut, **_READ})
def import_get(request: HttpRequest, job_id: PathId) -> dict[str, Any]:
    """One import: the mapping, the dry run, the progress or the result."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return _out(services.import_get(actor=actor, job_id=job_id))


@router.put("imports/{int:job_id}/mapping", response={200: ImportOut, **_WRITE})
def import_configure(request: HttpRequest, job_id: PathId, payload: MappingIn) -> dict[str, Any]:
    """Correct the column mapping (or apply a saved one) and choose what duplicates do; the
    dry run is redone."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    if payload.saved is not None:
        services.mapping_apply(actor=actor, job_id=job_id, mapping_id=payload.saved)
    job = services.import_configure(
        actor=actor, job_id=job_id, mapping=payload.mapping, duplicates=payload.duplicates
    )
    return _out(job)


@router.post("imports/{int:job_id}/start", response={202: ImportOut, **_WRITE})
def import_start(request: HttpRequest, job_id: PathId) -> Status[Any]:
    """Start the run in the background (or resume one that was interrupted)."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    job = services.import_start(actor=actor, job_id=job_id)
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get("imports/{int:job_id}/progress", response={200: ProgressOut, **_READ})
def import_progress(request: HttpRequest, job_id: PathId) -> dict[str, Any]:
    """Rows done, counts, rate and time left."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return _progress(services.import_get(actor=actor, job_id=job_id))


@router.post("imports/{int:job_id}/cancel", response={200: ImportOut, **_WRITE})
def import_cancel(request: HttpRequest, job_id: PathId) -> dict[str, Any]:
    """Stop the run after its current batch (what was imported stays, and can be undone)."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return _out(services.import_cancel(actor=actor, job_id=job_id))


@router.get("imports/{int:job_id}/errors", response={200: None, **_READ}, openapi_extra=_XLSX)
def import_errors(request: HttpRequest, job_id: PathId) -> HttpResponse:
    """The failed rows with their row number, column and reason (Excel)."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return _xlsx(*services.error_file(actor=actor, job_id=job_id))


@router.post("imports/{int:job_id}/undo", response={200: ImportOut, **_WRITE})
def import_undo(request: HttpRequest, job_id: PathId) -> dict[str, Any]:
    """Undo an import, in the background: its customers nobody changed since go to the
    recycle bin; when ``undone_at`` is set, ``undo_removed`` and ``undo_kept`` say how many
    went and how many stayed."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return _out(services.import_undo(actor=actor, job_id=job_id))


@router.get("import-mappings", response={200: list[SavedMappingOut], **_READ})
def mapping_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's saved column mappings."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    return [
        {"id": m.pk, "name": m.name, "columns": m.columns}
        for m in services.mapping_list(actor=actor)
    ]


@router.post("import-mappings", response={201: SavedMappingOut, **_WRITE})
def mapping_save(request: HttpRequest, payload: SavedMappingIn) -> Status[Any]:
    """Keep an import's column mapping under a name, for the next file of the same shape."""
    actor = require_actor(request, IMPORT_CUSTOMERS)
    saved = services.mapping_save(actor=actor, job_id=payload.job, name=payload.name)
    return Status(201, {"id": saved.pk, "name": saved.name, "columns": saved.columns})
