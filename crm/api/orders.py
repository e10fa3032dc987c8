"""Orders (客户订购登记表), their contract review (合同评审: the five departments' reviews, the
general manager's signature), written confirmations, the printable form, distributors'
medical-device licences and payment collection (回款). Thin adapters over crm.orders.

The signature is also an approval (kind ``orders.sign``): it may be decided at
``POST /approvals/{id}/decide`` as well as at ``POST /orders/{id}/sign``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from ninja import Field, File, Query, Router, Status
from ninja.files import UploadedFile

from crm.accounts.roles import (
    CHANGE_CUSTOMER,
    CHANGE_ORDER,
    EXPORT_REPORTS,
    SIGN_ORDER,
    VIEW_CUSTOMER,
    VIEW_ORDER,
    VIEW_REPORTS,
)
from crm.orders import licences, payments, selectors, services, stats
from crm.orders.files import FILES_MAX
from crm.orders.inputs import (
    CancelInput,
    DeliverInput,
    LicenceInput,
    LicencePatch,
    OrderInput,
    OrderPatch,
    PaymentPlanInput,
    PropertyStepInput,
    PurchaseInput,
    ReceiptInput,
    ReviewInput,
    SignInput,
    SubmitInput,
    VersionInput,
)
from crm.orders.models import ContractReview, MedicalLicence, Order, OrderFile

from .presenters import ref_out
from .sales import CURRENCY, period
from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryDay, QueryId, RefOut
from .security import require_actor, signed_in

router = Router(tags=["orders"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 400: ErrorOut, 409: ErrorOut}
Area = Literal["capacity", "quality", "technical", "equipment", "material"]


# --- schemas --------------------------------------------------------------------------------


class LineOut(Out):
    product: RefOut
    product_code: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    size: str
    colour: str
    customisation: str


class FileOut(Out):
    id: int
    kind: str = Field(description="email 邮件确认 / contract 回签合同 / other 其他文件")
    name: str
    content_type: str
    size: int
    uploaded_by: RefOut | None
    created_at: dt.datetime


class ReviewRowOut(Out):
    area: str = Field(description="capacity / quality / technical / equipment / material")
    label: str
    state: str = Field(description="pending / approved / rejected / skipped")
    note: str
    decided_by: RefOut | None
    decided_at: dt.datetime | None


class ReviewOut(Out):
    round: int
    state: str = Field(
        description="reviewing 部门评审中 / awaiting 待书面确认 / signing 待总经理签署 / "
        "reviewed 待重新提交签署 / signed / rejected / withdrawn"
    )
    requirements: dict[str, Any] = Field(description="合同评审表的要求（5.1.1–5.1.4）")
    rows: list[ReviewRowOut]
    submitted_by: RefOut | None
    submitted_at: dt.datetime
    approval_id: int | None = Field(description="总经理签署的审批申请 id（/approvals）")
    signed_by: RefOut | None
    signed_at: dt.datetime | None
    sign_note: str


class InstalmentOut(Out):
    position: int
    due_on: dt.date
    amount: Decimal
    paid: Decimal
    open_amount: Decimal
    overdue: bool
    note: str


class ReceiptOut(Out):
    id: int
    received_on: dt.date
    amount: Decimal
    method: str
    note: str
    recorded_by: RefOut | None


class PropertyStepOut(Out):
    stage: str = Field(
        description="subscription 认购 / contract 签约 / mortgage 按揭 / filing 备案"
    )
    done_on: dt.date
    note: str
    recorded_by: RefOut | None


class PaymentsOut(Out):
    total: Decimal
    received: Decimal
    instalments: list[InstalmentOut]
    receipts: list[ReceiptOut]
    property_steps: list[PropertyStepOut] = Field(
        description="房地产成交进度（认购 → 签约 → 按揭 → 备案），已办理的步骤"
    )
    property_next: list[str] = Field(description="可登记的下一步（一次性付款可跳过按揭）")


class OrderSummaryOut(Out):
    id: int
    number: str
    customer: RefOut
    state: str = Field(
        description="draft 草稿 / review 合同评审中 / confirmed 已确认 / delivered 已交付 / "
        "closed 已关闭 / cancelled 已取消"
    )
    verbal: bool
    order_date: dt.date
    expected_delivery: dt.date | None
    currency: str
    total: Decimal
    version: int


class OrderOut(OrderSummaryOut):
    opportunity: RefOut | None = Field(description="来自的销售机会（赢单后登记的订单）")
    contact_name: str
    contact_phone: str
    contact_email: str
    payment_method: str
    by_instalments: bool
    invoice_company: str
    invoice_tax_id: str
    invoice_address: str
    invoice_phone: str
    invoice_bank: str
    invoice_account: str
    incoterm: str
    port: str
    sample_sent: bool
    style_number: str
    notes: str
    external_number: str = Field(description="外部单号（记录的过往购买：网店订单号）")
    returned_note: str = Field(description="退回草稿时的评审或签署意见")
    lines: list[LineOut]
    files: list[FileOut]
    review: ReviewOut | None = Field(description="当前（最近一轮）合同评审")
    confirmed_in_writing: bool
    confirmed_at: dt.datetime | None
    delivered_on: dt.date | None
    cancel_reason: str
    payments: PaymentsOut
    created_by: RefOut | None
    created_at: dt.datetime


class OrderParams(NoNulIn):
    q: str = Field("", max_length=100, description="订单编号、客户名称或款号")
    state: Literal["", "draft", "review", "confirmed", "delivered", "closed", "cancelled"] = ""
    customer: QueryId = Field(None, description="客户 id")


class WaitingOut(Out):
    order: OrderSummaryOut
    areas: list[str] = Field(description="待您评审的内容")


class LicenceOut(Out):
    id: int
    customer: RefOut
    kind: str
    number: str
    classes: list[str]
    codes: list[str]
    issued_on: dt.date | None
    expires_on: dt.date
    expired: bool
    version: int


class LicenceParams(NoNulIn):
    customer: QueryId = Field(None, description="客户 id")
    expiring: bool = Field(False, description="只要 30 天内到期（或 30 天内已过期）的")


class OverdueOut(Out):
    order: OrderSummaryOut
    due_on: dt.date
    amount: Decimal
    open_amount: Decimal


class MonthOut(Out):
    month: str
    planned: Decimal
    received: Decimal


class MonthParams(NoNulIn):
    year: int = Field(0, ge=0, le=2999, description="年份；0 为今年")


class StatsParams(NoNulIn):
    by: Literal["month", "rep", "department", "product", "source"] = Field(
        "month",
        description="month 按月份 / rep 按销售人员 / department 按部门 / product 按产品 / "
        "source 按客户来源（认知途径）",
    )
    since: QueryDay = Field(None, description="开始日期（签署确认日），默认今年 1 月 1 日")
    until: QueryDay = Field(None, description="结束日期（含），默认今天；期间最长五年")
    currency: str = Field("", pattern=CURRENCY, description="币种，默认 CNY")
    department: QueryId = Field(None, description="只统计这个部门（含下级部门）的业绩")


class StatRowOut(Out):
    key: str = Field(
        description="月份 YYYY-MM、用户 id、部门 id、产品 id 或认知途径代码；空为未填写"
    )
    label: str
    orders: int = Field(description="订单数")
    quantity: Decimal | None = Field(description="数量（按产品时）")
    amount: Decimal = Field(description="销售额")
    share: float | None = Field(description="占期间销售额的比例（0–1）")


class SalesStatsOut(Out):
    by: str
    since: dt.date
    until: dt.date
    currency: str
    department: RefOut | None
    orders: int
    amount: Decimal
    average: Decimal = Field(description="平均订单金额")
    rows: list[StatRowOut]


# --- presenters -----------------------------------------------------------------------------


def _summary(o: Order) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "customer": ref_out(o.customer),
        "state": o.state,
        "verbal": o.verbal,
        "order_date": o.order_date,
        "expected_delivery": o.expected_delivery,
        "currency": o.currency,
        "total": o.total,
        "version": o.version,
    }


def _file(f: OrderFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "name": f.name,
        "content_type": f.content_type,
        "size": f.size,
        "uploaded_by": ref_out(f.uploaded_by),
        "created_at": f.created_at,
    }


def _review(r: ContractReview | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "round": r.round,
        "state": r.state,
        "requirements": {f: getattr(r, f) for f in services.REQUIREMENTS},
        "rows": [
            {
                "area": row.area,
                "label": row.get_area_display(),
                "state": row.state,
                "note": row.note,
                "decided_by": ref_out(row.decided_by),
                "decided_at": row.decided_at,
            }
            for row in r.rows.all()  # type: ignore[attr-defined]
        ],
        "submitted_by": ref_out(r.submitted_by),
        "submitted_at": r.submitted_at,
        "approval_id": r.approval_id,
        "signed_by": ref_out(r.signed_by),
        "signed_at": r.signed_at,
        "sign_note": r.sign_note,
    }


def _payments(o: Order) -> dict[str, Any]:
    receipts = list(o.receipts.all())  # type: ignore[attr-defined]
    steps = list(o.property_steps.select_related("recorded_by"))  # type: ignore[attr-defined]
    return {
        "property_steps": [
            {
                "stage": s.stage,
                "done_on": s.done_on,
                "note": s.note,
                "recorded_by": ref_out(s.recorded_by),
            }
            for s in steps
        ],
        "property_next": payments.property_next({s.stage for s in steps})
        if o.state != "cancelled"
        else [],
        "total": o.total,
        "received": sum((r.amount for r in receipts), Decimal("0.00")),
        "instalments": [
            {
                "position": s.instalment.position,
                "due_on": s.instalment.due_on,
                "amount": s.instalment.amount,
                "paid": s.paid,
                "open_amount": s.open_amount,
                "overdue": s.overdue,
                "note": s.instalment.note,
            }
            for s in selectors.payment_status(o, timezone.localdate())
        ],
        "receipts": [
            {
                "id": r.pk,
                "received_on": r.received_on,
                "amount": r.amount,
                "method": r.method,
                "note": r.note,
                "recorded_by": ref_out(r.recorded_by),
            }
            for r in receipts
        ],
    }


def order_out(o: Order) -> dict[str, Any]:
    rounds = selectors.review_rounds(o)
    files = list(o.files.all())  # type: ignore[attr-defined]
    return {
        **_summary(o),
        **{
            f: getattr(o, f)
            for f in (
                "contact_name",
                "contact_phone",
                "contact_email",
                "payment_method",
                "by_instalments",
                "invoice_company",
                "invoice_tax_id",
                "invoice_address",
                "invoice_phone",
                "invoice_bank",
                "invoice_account",
                "incoterm",
                "port",
                "sample_sent",
                "style_number",
                "notes",
                "external_number",
                "returned_note",
                "confirmed_at",
                "delivered_on",
                "cancel_reason",
                "created_at",
            )
        },
        "lines": [
            {
                "product": ref_out(line.product),
                "product_code": line.product.code,
                "quantity": line.quantity,
                "unit": line.product.unit,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "size": line.size,
                "colour": line.colour,
                "customisation": line.customisation,
            }
            for line in o.lines.all()  # type: ignore[attr-defined]
        ],
        "files": [_file(f) for f in files],
        "review": _review(rounds[0] if rounds else None),
        "confirmed_in_writing": any(f.confirms for f in files),
        "payments": _payments(o),
        "opportunity": ref_out(o.opportunity),
        "created_by": ref_out(o.created_by),
    }


def _fresh(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """The order as its reader sees it now (a reviewer reads through their own scope)."""
    actor = signed_in(request)
    return order_out(selectors.order_get(actor=actor, order_id=order_id))


def _licence(lic: MedicalLicence) -> dict[str, Any]:
    return {
        "id": lic.pk,
        "customer": ref_out(lic.customer),
        "kind": lic.kind,
        "number": lic.number,
        "classes": lic.classes,
        "codes": lic.codes,
        "issued_on": lic.issued_on,
        "expires_on": lic.expires_on,
        "expired": lic.expires_on < timezone.localdate(),
        "version": lic.version,
    }


# --- orders ---------------------------------------------------------------------------------


@router.get("orders", response={200: list[OrderSummaryOut], **_READ})
def order_list(request: HttpRequest, params: Query[OrderParams]) -> list[dict[str, Any]]:
    """The orders of the customers the caller may see (at most 200), newest first."""
    actor = require_actor(request, VIEW_ORDER)
    filters = selectors.OrderFilters(q=params.q, state=params.state, customer=params.customer)
    return [_summary(o) for o in selectors.order_list(actor=actor, filters=filters)]


@router.post("orders", response={201: OrderOut, **_WRITE})
def order_create(
    request: HttpRequest, response: HttpResponse, payload: OrderInput
) -> Status[dict[str, Any]]:
    """Register a 客户订购登记表 (a draft) for a customer in the caller's scope."""
    actor = require_actor(request, CHANGE_ORDER)
    order = services.order_create(actor=actor, data=payload.model_dump())
    response["Location"] = f"{request.path.rstrip('/')}/{order.pk}"
    return Status(201, _fresh(request, order.pk))


@router.post("customers/{int:customer_id}/purchases", response={201: OrderOut, **_WRITE})
def purchase_record(
    request: HttpRequest, response: HttpResponse, customer_id: PathId, payload: PurchaseInput
) -> Status[dict[str, Any]]:
    """Record a past purchase (购买记录) of a customer in the caller's scope: a closed order of
    one product on the day it was bought, without review or signature. A customer's
    ``external_number`` (a shop's order number) is recorded once (409 the second time)."""
    actor = require_actor(request, CHANGE_ORDER)
    order = services.purchase_record(
        actor=actor, customer_id=customer_id, data=payload.model_dump()
    )
    response["Location"] = f"{request.path.split('customers/')[0]}orders/{order.pk}"
    return Status(201, _fresh(request, order.pk))


@router.get("orders/{int:order_id}", response={200: OrderOut, **_READ})
def order_get(request: HttpRequest, order_id: PathId) -> dict[str, Any]:
    """One order with its lines, files, current contract review and payments."""
    require_actor(request, VIEW_ORDER)
    return _fresh(request, order_id)


@router.patch("orders/{int:order_id}", response={200: OrderOut, **_WRITE})
def order_update(request: HttpRequest, order_id: PathId, payload: OrderPatch) -> dict[str, Any]:  # type: ignore[valid-type]
    """Change a draft or a confirmed order from ``version`` (stale: 409 conflict); a confirmed
    order goes back to contract review; one under review or delivered: 409 state_conflict."""
    actor = require_actor(request, CHANGE_ORDER)
    services.order_update(
        actor=actor,
        order_id=order_id,
        data=payload.model_dump(exclude_unset=True),  # type: ignore[attr-defined]
    )
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/submit", response={200: OrderOut, **_WRITE})
def order_submit(request: HttpRequest, order_id: PathId, payload: SubmitInput) -> dict[str, Any]:
    """Submit a draft for contract review with the 合同评审表's requirements. A distributor
    without a valid licence covering a medical device of the order: 409 state_conflict."""
    actor = require_actor(request, CHANGE_ORDER)
    services.order_submit(actor=actor, order_id=order_id, data=payload.model_dump())
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/reviews/{area}", response={200: OrderOut, **_WRITE})
def review_decide(
    request: HttpRequest, order_id: PathId, area: Area, payload: ReviewInput
) -> dict[str, Any]:
    """One department's review (PMC ``capacity``, 品质部 ``quality``, 研发部 ``technical``, 生产部
    ``equipment``, 采购部 ``material``): approve, or reject with the reason (the order goes back
    to draft)."""
    actor = signed_in(request)
    services.review_decide(actor=actor, order_id=order_id, area=area, data=payload.model_dump())
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/sign", response={200: OrderOut, **_WRITE})
def order_sign(request: HttpRequest, order_id: PathId, payload: SignInput) -> dict[str, Any]:
    """The general manager (or deputy) signs the reviewed contract, or returns it with a reason:
    signed, the order is confirmed and its customer becomes retained."""
    actor = require_actor(request, SIGN_ORDER)
    services.order_sign(actor=actor, order_id=order_id, data=payload.model_dump())
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/signature-request", response={200: OrderOut, **_WRITE})
def order_request_signature(
    request: HttpRequest, order_id: PathId, payload: VersionInput
) -> dict[str, Any]:
    """Ask the signature again (after one the order's state refused, or a verbal order's
    written confirmation arrived)."""
    actor = require_actor(request, CHANGE_ORDER)
    services.order_request_signature(actor=actor, order_id=order_id, data=payload.model_dump())
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/deliver", response={200: OrderOut, **_WRITE})
def order_deliver(request: HttpRequest, order_id: PathId, payload: DeliverInput) -> dict[str, Any]:
    actor = require_actor(request, CHANGE_ORDER)
    services.order_deliver(actor=actor, order_id=order_id, data=payload.model_dump())
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/close", response={200: OrderOut, **_WRITE})
def order_close(request: HttpRequest, order_id: PathId, payload: VersionInput) -> dict[str, Any]:
    actor = require_actor(request, CHANGE_ORDER)
    services.order_close(actor=actor, order_id=order_id, data=payload.model_dump())
    return _fresh(request, order_id)


@router.post("orders/{int:order_id}/cancel", response={200: OrderOut, **_WRITE})
def order_cancel(request: HttpRequest, order_id: PathId, payload: CancelInput) -> dict[str, Any]:
    actor = require_actor(request, CHANGE_ORDER)
    services.order_cancel(actor=actor, order_id=order_id, data=payload.model_dump())
    return _fresh(request, order_id)


_UPLOADS = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {"properties": {"files": {"minItems": 1, "maxItems": FILES_MAX}}}
            }
        }
    }
}


class FileParams(NoNulIn):
    kind: Literal["email", "contract", "other"] = Field(
        "email", description="email 邮件确认 / contract 回签合同 / other 其他文件"
    )


@router.post(
    "orders/{int:order_id}/files",
    response={201: list[FileOut], **_WRITE},
    openapi_extra=_UPLOADS,
)
def order_attach(
    request: HttpRequest,
    order_id: PathId,
    params: Query[FileParams],
    files: File[list[UploadedFile]],
) -> Status[list[dict[str, Any]]]:
    """The written confirmation of a verbal order (an e-mail ``.eml``, the countersigned
    contract as PDF or a picture) or another document (multipart ``files``, each up to 10 MB)."""
    actor = require_actor(request, CHANGE_ORDER)
    saved = services.order_attach(actor=actor, order_id=order_id, files=files, kind=params.kind)
    return Status(201, [_file(f) for f in saved])


_BINARY = {
    "responses": {
        200: {
            "description": "文件内容",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "orders/{int:order_id}/files/{int:file_id}",
    response={200: None, **_READ},
    openapi_extra=_BINARY,
)
def order_file(request: HttpRequest, order_id: PathId, file_id: PathId) -> HttpResponseBase:
    """One file of the order; each opening is logged."""
    actor = require_actor(request, VIEW_ORDER)
    found = services.order_file_open(actor=actor, order_id=order_id, file_id=file_id)
    response = FileResponse(
        found.file.open("rb"), filename=found.name, content_type=found.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


_PDF = {
    "responses": {
        200: {
            "description": "客户订购登记表（含合同评审表），PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("orders/{int:order_id}/pdf", response={200: None, **_READ}, openapi_extra=_PDF)
def order_pdf(request: HttpRequest, order_id: PathId) -> HttpResponse:
    """The printable order form with its contract review (Chinese, A4)."""
    actor = require_actor(request, VIEW_ORDER)
    order, data = services.order_print(actor=actor, order_id=order_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@router.put("orders/{int:order_id}/payment-plan", response={200: PaymentsOut, **_WRITE})
def plan_set(request: HttpRequest, order_id: PathId, payload: PaymentPlanInput) -> dict[str, Any]:
    """Replace the payment plan (回款计划); the instalments add up to the order's amount."""
    actor = require_actor(request, CHANGE_ORDER)
    payments.plan_set(actor=actor, order_id=order_id, data=payload.model_dump())
    return _payments(selectors.order_get(actor=actor, order_id=order_id))


@router.post("orders/{int:order_id}/receipts", response={201: PaymentsOut, **_WRITE})
def receipt_record(
    request: HttpRequest, order_id: PathId, payload: ReceiptInput
) -> Status[dict[str, Any]]:
    """Money received (回款) for a confirmed or delivered order."""
    actor = require_actor(request, CHANGE_ORDER)
    payments.receipt_record(actor=actor, order_id=order_id, data=payload.model_dump())
    return Status(201, _payments(selectors.order_get(actor=actor, order_id=order_id)))


@router.post("orders/{int:order_id}/property-steps", response={201: PaymentsOut, **_WRITE})
def property_step(
    request: HttpRequest, order_id: PathId, payload: PropertyStepInput
) -> Status[dict[str, Any]]:
    """A step of a property sale reached (房地产: 认购 → 签约 → 按揭 → 备案), in that order, each
    once; a buyer paying at once goes from 签约 to 备案. Out of order or twice: 409."""
    actor = require_actor(request, CHANGE_ORDER)
    payments.property_step_record(actor=actor, order_id=order_id, data=payload.model_dump())
    return Status(201, _payments(selectors.order_get(actor=actor, order_id=order_id)))


@router.get("order-reviews", response={200: list[WaitingOut], **_READ})
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    """Orders waiting for the caller's departments' contract reviews, oldest first."""
    actor = require_actor(request, VIEW_ORDER)
    return [
        {"order": _summary(w.order), "areas": w.areas} for w in selectors.review_queue(actor=actor)
    ]


@router.get("payments/overdue", response={200: list[OverdueOut], **_READ})
def overdue(request: HttpRequest) -> list[dict[str, Any]]:
    """Instalments past due and not fully paid (催款), the oldest first."""
    actor = require_actor(request, VIEW_ORDER)
    return [
        {
            "order": _summary(o.order),
            "due_on": o.due_on,
            "amount": o.amount,
            "open_amount": o.open_amount,
        }
        for o in selectors.overdue_instalments(actor=actor, today=timezone.localdate())
    ]


@router.get("payments/monthly", response={200: list[MonthOut], **_READ})
def monthly(request: HttpRequest, params: Query[MonthParams]) -> list[dict[str, Any]]:
    """Planned against received per month of a year (回款计划与实际)."""
    actor = require_actor(request, VIEW_ORDER)
    year = params.year or timezone.localdate().year
    return [
        {"month": m.month.strftime("%Y-%m"), "planned": m.planned, "received": m.received}
        for m in selectors.payments_by_month(actor=actor, year=max(year, 1900))
    ]


# --- 销售统计 ---------------------------------------------------------------------------------


@router.get("sales/statistics", response={200: SalesStatsOut, **_READ})
def statistics(request: HttpRequest, params: Query[StatsParams]) -> dict[str, Any]:
    """销售统计: the orders signed in the period (confirmed, delivered or closed), by month,
    rep, department, product or the customer's source, credited to whoever owned the customer
    at the signature; a rep sees their own, a manager their departments'."""
    actor = require_actor(request, VIEW_REPORTS)
    since, until = period(params.since, params.until)
    report = stats.sales_statistics(
        actor=actor,
        by=params.by,
        since=since,
        until=until,
        currency=params.currency or "CNY",
        department_id=params.department,
    )
    return {
        "by": report.by,
        "since": report.since,
        "until": report.until,
        "currency": report.currency,
        "department": ref_out(report.department),
        "orders": report.orders,
        "amount": report.amount,
        "average": report.average,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "orders": r.orders,
                "quantity": r.quantity,
                "amount": r.amount,
                "share": r.share,
            }
            for r in report.rows
        ],
    }


def _stats_file(request: HttpRequest, params: StatsParams, fmt: str) -> HttpResponse:
    actor = require_actor(request, EXPORT_REPORTS)
    since, until = period(params.since, params.until)
    export = services.statistics_export(
        actor=actor,
        by=params.by,
        since=since,
        until=until,
        currency=params.currency or "CNY",
        department_id=params.department,
        fmt=fmt,
    )
    return export.response()


_STATS_XLSX = {
    "responses": {
        200: {
            "description": "销售统计，Excel 工作簿（导出记入审计日志）",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}
_STATS_PDF = {
    "responses": {
        200: {
            "description": "销售统计，PDF（导出记入审计日志）",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("sales/statistics.xlsx", response={200: None, **_READ}, openapi_extra=_STATS_XLSX)
def statistics_xlsx(request: HttpRequest, params: Query[StatsParams]) -> HttpResponse:
    """销售统计 as an Excel file (the export is logged)."""
    return _stats_file(request, params, "xlsx")


@router.get("sales/statistics.pdf", response={200: None, **_READ}, openapi_extra=_STATS_PDF)
def statistics_pdf(request: HttpRequest, params: Query[StatsParams]) -> HttpResponse:
    """销售统计 as a PDF (the export is logged)."""
    return _stats_file(request, params, "pdf")


# --- licences -------------------------------------------------------------------------------


@router.get("medical-licences", response={200: list[LicenceOut], **_READ})
def licence_list(request: HttpRequest, params: Query[LicenceParams]) -> list[dict[str, Any]]:
    """Distributors' medical-device business licences of the customers the caller sees."""
    actor = require_actor(request, VIEW_CUSTOMER)
    if params.expiring:
        found = selectors.licences_expiring(actor=actor, today=timezone.localdate())
        if params.customer is not None:
            found = [lic for lic in found if lic.customer_id == params.customer]
    else:
        found = selectors.licence_list(actor=actor, customer=params.customer)
    return [_licence(lic) for lic in found]


@router.post("medical-licences", response={201: LicenceOut, **_WRITE})
def licence_create(request: HttpRequest, payload: LicenceInput) -> Status[dict[str, Any]]:
    actor = require_actor(request, CHANGE_CUSTOMER)
    return Status(201, _licence(licences.licence_create(actor=actor, data=payload.model_dump())))


@router.get("medical-licences/{int:licence_id}", response={200: LicenceOut, **_READ})
def licence_get(request: HttpRequest, licence_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, VIEW_CUSTOMER)
    return _licence(selectors.licence_get(actor=actor, licence_id=licence_id))


@router.patch("medical-licences/{int:licence_id}", response={200: LicenceOut, **_WRITE})
def licence_update(
    request: HttpRequest,
    licence_id: PathId,
    payload: LicencePatch,  # type: ignore[valid-type]
) -> dict[str, Any]:
    actor = require_actor(request, CHANGE_CUSTOMER)
    found = licences.licence_update(
        actor=actor,
        licence_id=licence_id,
        data=payload.model_dump(exclude_unset=True),  # type: ignore[attr-defined]
    )
    return _licence(found)


@router.delete("medical-licences/{int:licence_id}", response={204: None, **_WRITE})
def licence_delete(request: HttpRequest, licence_id: PathId) -> Status[None]:
    actor = require_actor(request, CHANGE_CUSTOMER)
    licences.licence_delete(actor=actor, licence_id=licence_id)
    return Status(204, None)
