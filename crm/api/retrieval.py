"""Data retrieval requests (客户数据调用申请): filing one, reading them, and the requester's one
download once the department director and the general manager approved it (they decide through
``POST /approvals/{id}/decide`` like any approval). Thin adapters over crm.retrieval."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Status
from pydantic import Field

from crm.accounts.roles import REQUEST_DATA, VIEW_DATA_REQUEST
from crm.retrieval import exports, selectors, services
from crm.retrieval.fields import BY_CODE
from crm.retrieval.inputs import DataRequestInput, ListExportInput
from crm.retrieval.lists import LISTS
from crm.retrieval.models import DataRequest, Target

from .presenters import ref_out
from .schemas import ErrorOut, Out, PathId, RefOut
from .security import require_actor, signed_in

router = Router(tags=["retrieval"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}
_FILE = {
    "responses": {
        200: {
            "description": "Excel 工作簿（.xlsx）或 CSV（UTF-8 带 BOM），带水印",
            "content": {
                exports.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


class DataRequestIn(DataRequestInput):
    """A 客户数据调用申请: purpose, recipient, the customers (filter or ids), fields, format."""


class ListExportIn(ListExportInput):
    """The export of a list's rows (orders, opportunities, complaints …) by its filter."""


class FieldOut(Out):
    code: str
    label: str


class ListFieldsOut(Out):
    target: str = Field(description="orders / complaints / followups")
    title: str
    fields: list[FieldOut]
    default: list[str] = Field(description="未选择时表单预先勾选的字段")


class DataRequestOut(Out):
    id: int
    number: str = Field(description="申请编号（水印中的编号）")
    target: str = Field(
        description="customers 客户 / orders 订单 / complaints 投诉 / followups 跟进记录"
    )
    requested_by: RefOut
    department: RefOut | None
    created_at: dt.datetime
    purpose: str
    recipient: str
    criteria: dict[str, Any] = Field(description="申请时的筛选条件")
    record_count: int
    fields: list[FieldOut]
    file_format: str
    state: str = Field(
        description="pending 审批中 / approved 待导出 / exported 已导出 / rejected / failed"
    )
    approval_id: int | None = Field(description="审批申请 id（/approvals）")
    approved_at: dt.datetime | None
    expires_at: dt.datetime | None
    expired: bool
    decision_note: str
    exported_at: dt.datetime | None
    exported_rows: int | None
    file_sha256: str = Field(description="导出文件的 SHA-256（用于核对外流文件）")


def _labels(r: DataRequest) -> dict[str, Any]:
    if r.target == Target.CUSTOMERS:
        return BY_CODE
    spec = LISTS.get(r.target)
    return spec.by_code if spec is not None else {}


def _out(r: DataRequest) -> dict[str, Any]:
    known = _labels(r)
    return {
        "id": r.pk,
        "number": r.number,
        "target": r.target,
        "requested_by": ref_out(r.requested_by),
        "department": ref_out(r.department),
        "created_at": r.created_at,
        "purpose": r.purpose,
        "recipient": r.recipient,
        "criteria": r.criteria,
        "record_count": r.record_count,
        "fields": [{"code": c, "label": str(known[c].label)} for c in r.fields if c in known],
        "file_format": r.file_format,
        "state": r.state,
        "approval_id": r.approval_id,
        "approved_at": r.approved_at,
        "expires_at": r.expires_at,
        "expired": r.expired,
        "decision_note": r.decision_note,
        "exported_at": r.exported_at,
        "exported_rows": r.exported_rows,
        "file_sha256": r.file_sha256,
    }


@router.get("data-requests", response={200: list[DataRequestOut], **_READ})
def request_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The retrieval requests the caller may see (their own; their departments'), newest first."""
    actor = require_actor(request, VIEW_DATA_REQUEST)
    return [_out(r) for r in selectors.request_list(actor=actor)]


@router.post("data-requests", response={201: DataRequestOut, **_WRITE})
def request_file(request: HttpRequest, payload: DataRequestIn) -> Status[Any]:
    """File a 客户数据调用申请 for the customers of a list filter (as the caller sees the list) or
    chosen customers: it waits for the department director, then the general manager."""
    actor = require_actor(request, REQUEST_DATA)
    return Status(201, _out(services.request_file(actor=actor, data=payload.model_dump())))


@router.post("list-exports", response={201: DataRequestOut, **_WRITE})
def list_export_file(request: HttpRequest, payload: ListExportIn) -> Status[Any]:
    """Export the rows of a list the caller sees (orders, opportunities, complaints …) by the
    list's filter: up to the bulk-read threshold (500) it is approved when filed, more rows wait
    for the department director and the general manager. The file comes from
    ``POST /data-requests/{id}/export``, like a 客户数据调用."""
    actor = require_actor(request, REQUEST_DATA)
    return Status(201, _out(services.list_export_file(actor=actor, data=payload.model_dump())))


@router.get("list-exports/fields", response={200: list[ListFieldsOut], **_READ})
def list_export_fields(request: HttpRequest) -> list[dict[str, Any]]:
    """Each exportable list with the codes and titles of its fields."""
    require_actor(request, REQUEST_DATA)
    return [
        {
            "target": spec.target,
            "title": str(spec.title),
            "fields": [{"code": f.code, "label": str(f.label)} for f in spec.fields],
            "default": list(spec.default),
        }
        for spec in LISTS.values()
    ]


@router.get("data-requests/{int:request_id}", response={200: DataRequestOut, **_READ})
def request_get(request: HttpRequest, request_id: PathId) -> dict[str, Any]:
    """One request with its decision and, once exported, the file's digest."""
    actor = signed_in(request)  # its requester, their department's heads, its deciders
    return _out(services.request_get(actor=actor, request_id=request_id))


@router.post(
    "data-requests/{int:request_id}/export",
    response={200: None, **_WRITE},
    openapi_extra=_FILE,
)
def request_export(request: HttpRequest, request_id: PathId) -> FileResponse:
    """The requester's one download of an approved request, before it expires: masked to their
    clearance, watermarked, logged; a second call is refused (409)."""
    actor = require_actor(request, REQUEST_DATA)
    return services.request_export(actor=actor, request_id=request_id).response()
