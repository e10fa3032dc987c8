"""Customer service (客户服务): complaints from registration to closure, the handler's queue and
the SLA overdue list, attachments, the monthly statistics (JSON and Excel), the SLA table and the
business calendar, service records on a customer, and the public complaint form with its
tracking look-up (no sign-in; rate limited and guarded, crm.service.guard). Thin adapters over
crm.service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from crm.accounts.models import User
from crm.accounts.roles import (
    ASSIST_COMPLAINT,
    HANDLE_COMPLAINT,
    MANAGE_SLA,
    RECORD_SERVICE,
    REGISTER_COMPLAINT,
    VIEW_COMPLAINT,
    VIEW_COMPLAINT_REPORT,
    VIEW_CUSTOMER,
)
from crm.core.errors import Invalid
from crm.core.inputs import MAX_ID, Day
from crm.core.middleware import client_ip
from crm.core.pagination import ID_CURSOR
from crm.customers import sensitive
from crm.service import guard, selectors, services, stats
from crm.service.inputs import (
    AcceptInput,
    CalendarDayInput,
    CloseInput,
    CollaboratorInput,
    ComplaintLookupInput,
    NoteInput,
    PublicComplaintInput,
    ReopenInput,
    ResolveInput,
    ServiceComplaintInput,
    ServiceRecordInput,
    SlaInput,
)
from crm.service.models import CalendarDay, Complaint, ServiceRecord, SlaPolicy, Step

from .presenters import ref_out
from .reports import _XLSX, MONTH_PATTERN
from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryId, RefOut
from .security import require_actor

router = Router(tags=["service"])
public_router = Router(tags=["service"], auth=None)

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}
_PUBLIC: dict[int, Any] = {
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    400: ErrorOut,
}


# --- schemas --------------------------------------------------------------------------------


class ServiceComplaintIn(ServiceComplaintInput):
    pass


class AcceptIn(AcceptInput):
    pass


class ComplaintAssignIn(NoNulIn):
    handler: int = Field(ge=1, le=MAX_ID, description="新的处理人用户 id")


class NoteIn(NoteInput):
    pass


class CollaboratorIn(CollaboratorInput):
    pass


class ResolveIn(ResolveInput):
    pass


class CloseIn(CloseInput):
    pass


class ComplaintReopenIn(ReopenInput):
    pass


class SlaIn(SlaInput):
    pass


class CalendarDayIn(CalendarDayInput):
    pass


class ServiceRecordIn(ServiceRecordInput):
    pass


class PublicComplaintIn(PublicComplaintInput):
    started: str = Field(
        "", max_length=200, description="表单页面给出的签名时间戳（表单字段 started）"
    )
    website: str = Field("", max_length=200, description="留空（防机器人字段）")


class ComplaintLookupIn(ComplaintLookupInput):
    pass


class StepOut(Out):
    kind: str
    kind_label: str
    text: str
    actor: RefOut | None
    created_at: dt.datetime


class CollaboratorOut(Out):
    user: RefOut
    department: RefOut | None
    task: str


class ComplaintAttachmentOut(Out):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class ComplaintRowOut(Out):
    """A complaint in a list: what a worklist shows (the whole record: ``GET …/{id}``)."""

    id: int
    number: str
    customer: RefOut | None
    complainant: str
    channel: str
    category: str
    severity: str
    product: str
    state: str
    handler: RefOut | None
    created_at: dt.datetime
    response_due: dt.datetime
    resolve_due: dt.datetime
    response_late: bool
    resolve_late: bool
    escalation: int


class ServiceComplaintOut(Out):
    id: int
    number: str = Field(description="投诉编号（客户凭此查询进度）")
    customer: RefOut | None
    complainant: str
    phone: str = Field(description="联系电话（无权查看电话者为遮挡后的号码）")
    channel: str
    category: str
    severity: str
    product: str
    order_number: str
    order_id: int | None = Field(description="订单号所指的该客户订单 id（/orders/{id}）")
    product_id: int | None = Field(description="产品所指的产品目录中的产品 id")
    description: str
    request: str
    state: str = Field(
        description="registered 已登记 / accepted 已受理 / handling 处理中 / resolved 已解决 / "
        "closed 已结案 / reopened 重新处理"
    )
    handler: RefOut | None
    department: RefOut | None = Field(description="责任部门")
    created_at: dt.datetime
    response_due: dt.datetime
    resolve_due: dt.datetime
    accepted_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    response_late: bool
    resolve_late: bool
    escalation: int = Field(description="0 未升级 / 1 已报部门经理 / 2 已报总经理")
    resolution: str
    customer_feedback: str
    satisfaction: int | None
    reopened: int
    version: int


class CitedArticleOut(Out):
    id: int
    number: str = Field(description="知识库编号，如 ZS000012")
    title: str


class CiteIn(NoNulIn):
    article: int = Field(ge=1, le=2**31 - 1, description="知识库解答 id（ZS000012 即 12）")


class ComplaintDetailOut(ServiceComplaintOut):
    steps: list[StepOut]
    collaborators: list[CollaboratorOut]
    attachments: list[ComplaintAttachmentOut]
    articles: list[CitedArticleOut] = Field(description="引用的知识库解答（销讲、答客问）")


class ComplaintPageOut(Out):
    items: list[ComplaintRowOut]
    next_cursor: str | None


class ComplaintParams(NoNulIn):
    state: str = Field("", max_length=10, description="状态")
    category: str = Field("", max_length=10)
    severity: str = Field("", max_length=10)
    mine: bool = Field(False, description="只看我处理的")
    overdue: bool = Field(False, description="只看已超时的未结投诉")
    customer: QueryId = None
    q: str = Field("", max_length=50, description="投诉编号或投诉人")
    cursor: str | None = Field(None, pattern=ID_CURSOR)


class TallyOut(Out):
    key: str
    label: str
    count: int


class PointOut(Out):
    month: str
    count: int
    resolved_on_time: int
    resolved_late: int
    compliance: float | None


class ReportOut(Out):
    month: str
    total: int
    by_category: list[TallyOut]
    by_product: list[TallyOut]
    by_department: list[TallyOut]
    by_severity: list[TallyOut]
    by_channel: list[TallyOut]
    response_met: int
    response_missed: int
    response_rate: float | None
    resolve_met: int
    resolve_missed: int
    resolve_rate: float | None
    resolved: int
    closed: int
    open: int
    reopened: int
    repeats: int = Field(description="90 天内同一客户再次投诉的件数")
    average_hours: float | None = Field(description="平均解决时长（小时，自登记至解决）")
    satisfaction: float | None
    trend: list[PointOut]


class MonthParams(NoNulIn):
    month: str = Field("", pattern=MONTH_PATTERN, description="月份 YYYY-MM，默认本月")

    @property
    def first_day(self) -> dt.date | None:
        return dt.date(int(self.month[:4]), int(self.month[5:]), 1) if self.month else None


class SlaOut(Out):
    severity: str
    response_hours: int
    resolve_hours: int
    gm_after_hours: int


class CalendarDayOut(Out):
    day: dt.date
    kind: str
    name: str


class CalendarParams(NoNulIn):
    year: int | None = Field(None, ge=1900, le=2999)


class ServiceRecordOut(Out):
    id: int
    served_on: dt.date
    content: str
    staff: RefOut
    satisfaction: int | None
    comment: str
    product: str
    order_number: str
    order_id: int | None = Field(description="订单号所指的该客户订单 id")
    product_id: int | None = Field(description="产品所指的产品目录中的产品 id")
    created_at: dt.datetime


class ComplaintReceiptOut(Out):
    number: str = Field(description="投诉编号，凭此和电话查询进度")
    created: bool = Field(description="false：24 小时内已提交过相同内容，返回原投诉编号")


class TrackOut(Out):
    number: str
    state: str
    state_label: str
    created_at: dt.datetime
    resolution: str = Field(description="处理结果（已解决后）")


# --- presenters -----------------------------------------------------------------------------


def _phone(actor: User, complaint: Complaint) -> str:
    phone = sensitive.read_phone(complaint) if complaint.phone_store else ""
    return phone if sensitive.may_see_phones(actor) or not phone else sensitive.mask_phone(phone)


def _out(actor: User, c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "customer": ref_out(c.customer),
        "complainant": c.complainant,
        "phone": _phone(actor, c),
        "channel": c.channel,
        "category": c.category,
        "severity": c.severity,
        "product": c.product,
        "order_number": c.order_number,
        "order_id": c.order_id,
        "product_id": c.catalogue_product_id,
        "description": c.description,
        "request": c.request,
        "state": c.state,
        "handler": ref_out(c.handler),
        "department": ref_out(c.department),
        "created_at": c.created_at,
        "response_due": c.response_due,
        "resolve_due": c.resolve_due,
        "accepted_at": c.accepted_at,
        "resolved_at": c.resolved_at,
        "closed_at": c.closed_at,
        "response_late": c.response_late,
        "resolve_late": c.resolve_late,
        "escalation": c.escalation,
        "resolution": c.resolution,
        "customer_feedback": c.customer_feedback,
        "satisfaction": c.satisfaction,
        "reopened": c.reopened,
        "version": c.version,
    }


def _row(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "customer": ref_out(c.customer),
        "complainant": c.complainant,
        "channel": c.channel,
        "category": c.category,
        "severity": c.severity,
        "product": c.product,
        "state": c.state,
        "handler": ref_out(c.handler),
        "created_at": c.created_at,
        "response_due": c.response_due,
        "resolve_due": c.resolve_due,
        "response_late": c.response_late,
        "resolve_late": c.resolve_late,
        "escalation": c.escalation,
    }


def _step(s: Step) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "text": s.text,
        "actor": ref_out(s.actor),
        "created_at": s.created_at,
    }


def _detail(actor: User, c: Complaint) -> dict[str, Any]:
    return {
        **_out(actor, c),
        "steps": [_step(s) for s in c.steps.all()],  # type: ignore[attr-defined]
        "articles": [
            {"id": link.article.pk, "number": link.article.number, "title": link.article.title}
            for link in c.article_links.select_related("article")  # type: ignore[attr-defined]
        ],
        "collaborators": [
            {"user": ref_out(h.user), "department": ref_out(h.department), "task": h.task}
            for h in c.collaborators.all()  # type: ignore[attr-defined]
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/service/attachments/{a.pk}",
            }
            for a in c.attachments.all()  # type: ignore[attr-defined]
        ],
    }


def _reloaded(actor: User, complaint_id: int) -> dict[str, Any]:
    return _detail(actor, selectors.complaint_get(actor=actor, complaint_id=complaint_id))


def _tallies(items: list[stats.Tally]) -> list[dict[str, Any]]:
    return [{"key": t.key, "label": t.label, "count": t.count} for t in items]


def _report(r: stats.MonthlyReport) -> dict[str, Any]:
    return {
        "month": r.month.strftime("%Y-%m"),
        "total": r.total,
        "by_category": _tallies(r.by_category),
        "by_product": _tallies(r.by_product),
        "by_department": _tallies(r.by_department),
        "by_severity": _tallies(r.by_severity),
        "by_channel": _tallies(r.by_channel),
        "response_met": r.response_met,
        "response_missed": r.response_missed,
        "response_rate": r.response_rate,
        "resolve_met": r.resolve_met,
        "resolve_missed": r.resolve_missed,
        "resolve_rate": r.resolve_rate,
        "resolved": r.resolved,
        "closed": r.closed,
        "open": r.open,
        "reopened": r.reopened,
        "repeats": r.repeats,
        "average_hours": r.average_hours,
        "satisfaction": r.satisfaction,
        "trend": [
            {
                "month": p.month.strftime("%Y-%m"),
                "count": p.count,
                "resolved_on_time": p.resolved_on_time,
                "resolved_late": p.resolved_late,
                "compliance": p.compliance,
            }
            for p in r.trend
        ],
    }


def _sla(p: SlaPolicy) -> dict[str, Any]:
    return {
        "severity": p.severity,
        "response_hours": p.response_hours,
        "resolve_hours": p.resolve_hours,
        "gm_after_hours": p.gm_after_hours,
    }


def _day(d: CalendarDay) -> dict[str, Any]:
    return {"day": d.day, "kind": d.kind, "name": d.name}


def _record(r: ServiceRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "served_on": r.served_on,
        "content": r.content,
        "staff": ref_out(r.staff),
        "satisfaction": r.satisfaction,
        "comment": r.comment,
        "product": r.product,
        "order_number": r.order_number,
        "order_id": r.order_id,
        "product_id": r.catalogue_product_id,
        "created_at": r.created_at,
    }


# --- complaints -----------------------------------------------------------------------------


@router.get("service/complaints", response={200: ComplaintPageOut, **_READ})
def complaint_list(request: HttpRequest, params: Query[ComplaintParams]) -> dict[str, Any]:
    """The complaints the caller may see (the service department all; a rep their customers';
    a manager the department's; a handler or helper theirs), newest first."""
    actor = require_actor(request, VIEW_COMPLAINT)
    filters = selectors.ComplaintFilters(
        state=params.state,
        category=params.category,
        severity=params.severity,
        mine=params.mine,
        overdue=params.overdue,
        customer=params.customer,
        q=params.q,
    )
    page = selectors.complaint_page(actor=actor, filters=filters, cursor=params.cursor)
    return {"items": [_row(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("service/complaints/queue", response={200: list[ComplaintRowOut], **_READ})
def complaint_queue(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's open complaints as their handler, soonest resolution deadline first."""
    actor = require_actor(request, VIEW_COMPLAINT)
    return [_row(c) for c in selectors.complaint_queue(actor=actor)]


@router.get("service/complaints/overdue", response={200: list[ComplaintRowOut], **_READ})
def complaint_overdue(request: HttpRequest) -> list[dict[str, Any]]:
    """Open complaints past their deadline (resolution, or response while unaccepted) that the
    caller may see, longest overdue first (at most 50)."""
    actor = require_actor(request, VIEW_COMPLAINT)
    return [_row(c) for c in selectors.complaint_overdue(actor=actor)]


@router.post("service/complaints", response={201: ComplaintDetailOut, **_WRITE})
def complaint_register(request: HttpRequest, payload: ServiceComplaintIn) -> Status[Any]:
    """客服部 registers a complaint (hotline, walk-in, e-mail); its deadlines start now."""
    actor = require_actor(request, REGISTER_COMPLAINT)
    complaint = services.complaint_register(actor=actor, data=payload.model_dump())
    return Status(201, _reloaded(actor, complaint.pk))


@router.get("service/complaints/report", response={200: ReportOut, **_READ})
def complaint_report(request: HttpRequest, params: Query[MonthParams]) -> dict[str, Any]:
    """客户投诉统计分析月报表: counts by category, product, department, severity and channel;
    SLA compliance; average time to resolve; repeats; the 12 months to this one."""
    actor = require_actor(request, VIEW_COMPLAINT_REPORT)
    return _report(stats.monthly_report(actor=actor, month=params.first_day))


@router.get("service/complaints/report.xlsx", response={200: None, **_READ}, openapi_extra=_XLSX)
def complaint_report_xlsx(request: HttpRequest, params: Query[MonthParams]) -> HttpResponse:
    """The monthly statistics as an Excel file (the export is logged)."""
    actor = require_actor(request, VIEW_COMPLAINT_REPORT)
    return stats.monthly_export(actor=actor, month=params.first_day).response()


@router.get("service/complaints/{int:complaint_id}", response={200: ComplaintDetailOut, **_READ})
def complaint_get(request: HttpRequest, complaint_id: PathId) -> dict[str, Any]:
    """One complaint with its 处理过程, helpers and attachments."""
    return _reloaded(require_actor(request, VIEW_COMPLAINT), complaint_id)


@router.post(
    "service/complaints/{int:complaint_id}/accept", response={200: ComplaintDetailOut, **_WRITE}
)
def complaint_accept(
    request: HttpRequest, complaint_id: PathId, payload: AcceptIn
) -> dict[str, Any]:
    """受理 (registered → accepted), with its handler (the caller unless named)."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_accept(actor=actor, complaint_id=complaint_id, data=payload.model_dump())
    return _reloaded(actor, complaint_id)


@router.post(
    "service/complaints/{int:complaint_id}/assign", response={200: ComplaintDetailOut, **_WRITE}
)
def complaint_assign(
    request: HttpRequest, complaint_id: PathId, payload: ComplaintAssignIn
) -> dict[str, Any]:
    """Hand an open complaint to another handler."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_assign(actor=actor, complaint_id=complaint_id, handler=payload.handler)
    return _reloaded(actor, complaint_id)


@router.post(
    "service/complaints/{int:complaint_id}/start", response={200: ComplaintDetailOut, **_WRITE}
)
def complaint_start(request: HttpRequest, complaint_id: PathId) -> dict[str, Any]:
    """开始处理 (accepted or reopened → handling)."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_start(actor=actor, complaint_id=complaint_id)
    return _reloaded(actor, complaint_id)


@router.post("service/complaints/{int:complaint_id}/notes", response={201: StepOut, **_WRITE})
def complaint_note(request: HttpRequest, complaint_id: PathId, payload: NoteIn) -> Status[Any]:
    """A line of the 处理过程, by the handler or a helper."""
    actor = require_actor(request, ASSIST_COMPLAINT)
    step = services.complaint_note(
        actor=actor, complaint_id=complaint_id, data=payload.model_dump()
    )
    return Status(201, _step(step))


@router.post(
    "service/complaints/{int:complaint_id}/collaborators",
    response={201: ComplaintDetailOut, **_WRITE},
)
def complaint_collaborator(
    request: HttpRequest, complaint_id: PathId, payload: CollaboratorIn
) -> Status[Any]:
    """Ask a colleague of another department to help; they are told and may see it."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_add_collaborator(
        actor=actor, complaint_id=complaint_id, data=payload.model_dump()
    )
    return Status(201, _reloaded(actor, complaint_id))


@router.post(
    "service/complaints/{int:complaint_id}/articles",
    response={201: ComplaintDetailOut, **_WRITE},
)
def complaint_cite(request: HttpRequest, complaint_id: PathId, payload: CiteIn) -> Status[Any]:
    """Cite an answer of the knowledge base (销讲、答客问) on an open complaint, once."""
    actor = require_actor(request, ASSIST_COMPLAINT)
    services.complaint_link_article(
        actor=actor, complaint_id=complaint_id, article_id=payload.article
    )
    return Status(201, _reloaded(actor, complaint_id))


@router.delete(
    "service/complaints/{int:complaint_id}/articles/{int:article_id}",
    response={204: None, **_WRITE},
)
def complaint_uncite(
    request: HttpRequest, complaint_id: PathId, article_id: PathId
) -> Status[None]:
    """Take a cited answer off an open complaint."""
    actor = require_actor(request, ASSIST_COMPLAINT)
    services.complaint_unlink_article(actor=actor, complaint_id=complaint_id, article_id=article_id)
    return Status(204, None)


@router.post(
    "service/complaints/{int:complaint_id}/resolve", response={200: ComplaintDetailOut, **_WRITE}
)
def complaint_resolve(
    request: HttpRequest, complaint_id: PathId, payload: ResolveIn
) -> dict[str, Any]:
    """解决: the resolution and the responsible department; waits for the customer."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_resolve(actor=actor, complaint_id=complaint_id, data=payload.model_dump())
    return _reloaded(actor, complaint_id)


@router.post(
    "service/complaints/{int:complaint_id}/close", response={200: ComplaintDetailOut, **_WRITE}
)
def complaint_close(request: HttpRequest, complaint_id: PathId, payload: CloseIn) -> dict[str, Any]:
    """结案 with the customer's confirmation and satisfaction."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_close(actor=actor, complaint_id=complaint_id, data=payload.model_dump())
    return _reloaded(actor, complaint_id)


@router.post(
    "service/complaints/{int:complaint_id}/reopen", response={200: ComplaintDetailOut, **_WRITE}
)
def complaint_reopen(
    request: HttpRequest, complaint_id: PathId, payload: ComplaintReopenIn
) -> dict[str, Any]:
    """重新处理 (resolved or closed → reopened): a new resolution deadline from now."""
    actor = require_actor(request, HANDLE_COMPLAINT)
    services.complaint_reopen(actor=actor, complaint_id=complaint_id, data=payload.model_dump())
    return _reloaded(actor, complaint_id)


@router.post(
    "service/complaints/{int:complaint_id}/attachments",
    response={201: list[ComplaintAttachmentOut], **_WRITE},
)
def complaint_attach(
    request: HttpRequest, complaint_id: PathId, files: File[list[UploadedFile]]
) -> Status[Any]:
    """Photos and documents (multipart ``files``): at most 9, each up to 10 MB, pictures, PDF,
    Word or Excel by content. All or nothing."""
    actor = require_actor(request, ASSIST_COMPLAINT)
    added = services.complaint_attach(actor=actor, complaint_id=complaint_id, files=files)
    return Status(
        201,
        [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/service/attachments/{a.pk}",
            }
            for a in added
        ],
    )


_FILE = {
    "responses": {
        200: {
            "description": "附件内容",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "service/attachments/{int:attachment_id}", response={200: None, **_READ}, openapi_extra=_FILE
)
def attachment_download(request: HttpRequest, attachment_id: PathId) -> HttpResponseBase:
    """A complaint's file, for whoever may see the complaint; each opening is logged."""
    attachment = services.attachment_open(
        actor=require_actor(request, VIEW_COMPLAINT), attachment_id=attachment_id
    )
    response = FileResponse(
        attachment.file.open("rb"), filename=attachment.name, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- the SLA table and the calendar ---------------------------------------------------------


@router.get("service/sla", response={200: list[SlaOut], **_READ})
def sla_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The deadlines per severity, in working hours."""
    require_actor(request, VIEW_COMPLAINT)
    return [_sla(p) for p in selectors.sla_table()]


@router.put("service/sla/{severity}", response={200: SlaOut, **_WRITE})
def sla_update(request: HttpRequest, severity: str, payload: SlaIn) -> dict[str, Any]:
    """Change one severity's deadlines (new complaints follow them)."""
    actor = require_actor(request, MANAGE_SLA)
    return _sla(services.sla_update(actor=actor, severity=severity, data=payload.model_dump()))


@router.get("service/calendar", response={200: list[CalendarDayOut], **_READ})
def calendar_list(request: HttpRequest, params: Query[CalendarParams]) -> list[dict[str, Any]]:
    """The holidays and adjusted working days (调休) the SLA clock reads."""
    require_actor(request, VIEW_COMPLAINT)
    return [_day(d) for d in selectors.calendar_days(year=params.year)]


def _path_day(value: str) -> dt.date:
    try:
        return Day.clean(value[:10])  # type: ignore[no-any-return]
    except ValueError as exc:
        raise Invalid(fields={"day": str(exc)}) from exc


@router.put("service/calendar/{day}", response={200: CalendarDayOut, **_WRITE})
def calendar_set(request: HttpRequest, day: str, payload: CalendarDayIn) -> dict[str, Any]:
    """Make ``day`` (YYYY-MM-DD) a holiday or an adjusted working day."""
    actor = require_actor(request, MANAGE_SLA)
    return _day(
        services.calendar_day_set(actor=actor, day=_path_day(day), data=payload.model_dump())
    )


@router.delete("service/calendar/{day}", response={204: None, **_WRITE})
def calendar_delete(request: HttpRequest, day: str) -> Status[None]:
    """Back to the weekly rule for ``day``."""
    actor = require_actor(request, MANAGE_SLA)
    services.calendar_day_delete(actor=actor, day=_path_day(day))
    return Status(204, None)


# --- service records ------------------------------------------------------------------------


@router.get(
    "customers/{int:customer_id}/service-records", response={200: list[ServiceRecordOut], **_READ}
)
def service_record_list(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    """A customer's 客户服务记录, newest first."""
    actor = require_actor(request, VIEW_CUSTOMER)
    return [
        _record(r) for r in selectors.customer_service_records(actor=actor, customer_id=customer_id)
    ]


@router.post(
    "customers/{int:customer_id}/service-records", response={201: ServiceRecordOut, **_WRITE}
)
def service_record_add(
    request: HttpRequest, customer_id: PathId, payload: ServiceRecordIn
) -> Status[Any]:
    """A line of the 客户服务记录表: date, content, staff, satisfaction 1–5 and comment."""
    actor = require_actor(request, RECORD_SERVICE)
    record = services.service_record_add(
        actor=actor, customer_id=customer_id, data=payload.model_dump()
    )
    return Status(201, _record(record))


# --- the public form (no sign-in) -----------------------------------------------------------


@public_router.get("public/complaints/form", response={200: dict[str, str]})
def public_form(request: HttpRequest) -> dict[str, str]:
    """The signed timestamp a submission must carry as ``started`` (at least 3 seconds old)."""
    return {"started": guard.stamp()}


@public_router.post(
    "public/complaints", response={201: ComplaintReceiptOut, 200: ComplaintReceiptOut, **_PUBLIC}
)
def public_submit(request: HttpRequest, payload: PublicComplaintIn) -> Status[Any]:
    """A customer files a complaint (no sign-in) and gets its tracking number. Rate limited per
    address; ``started`` from ``GET public/complaints/form``; ``website`` must stay empty. The
    same phone and text again within 24 hours returns the earlier number (200)."""
    guard.check_rate(client_ip(request))
    guard.check_form(started=payload.started, honeypot=payload.website)
    data = payload.model_dump(exclude={"started", "website"})
    complaint, created = services.complaint_submit(data=data)
    return Status(201 if created else 200, {"number": complaint.number, "created": created})


@public_router.post("public/complaints/lookup", response={200: TrackOut, **_PUBLIC})
def public_lookup(request: HttpRequest, payload: ComplaintLookupIn) -> dict[str, Any]:
    """A complaint's progress by its number and the phone given with it (rate limited)."""
    guard.check_rate(client_ip(request), kind="lookup")
    complaint = services.complaint_lookup(data=payload.model_dump())
    return {
        "number": complaint.number,
        "state": complaint.state,
        "state_label": complaint.get_state_display(),
        "created_at": complaint.created_at,
        "resolution": complaint.resolution if complaint.state in ("resolved", "closed") else "",
    }
