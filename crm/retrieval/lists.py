"""The lists other than customers that can be exported (orders, opportunities, complaints …):
for each, the declared input of its filter (the list page's own), the rows the requester sees
through the domain's selector (``restrict()`` inside it), the field catalogue with column titles,
and how a row is shown to its reader (``prepare``: the customer's fields masked to the reader's
clearance, and the row's own copy of a phone with them).

A list export is a ``DataRequest`` like a customer retrieval (crm.retrieval.services): the rows
are fixed as ids when it is filed, more than ``CRM_BULK_READ_THRESHOLD`` of them wait for the
department director and the general manager, and the one download is masked, watermarked and
logged, with each row's customer kept for the access log (查阅登记).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from crm.accounts.models import User
from crm.activities import selectors as activity_selectors
from crm.activities.choices import FollowUpKind
from crm.activities.models import FollowUp
from crm.core.errors import Invalid
from crm.core.inputs import MAX_ID, Choice, Day, Input, Integer, Text, validate
from crm.customers import sensitive
from crm.governance.masking import Masker, mask_value
from crm.orders import selectors as order_selectors
from crm.orders.models import Order, OrderState
from crm.reception import selectors as reception_selectors
from crm.reception.models import Visit
from crm.sales import selectors as sales_selectors
from crm.sales.choices import Status as OpportunityStatus
from crm.sales.models import Opportunity
from crm.service import selectors as service_selectors
from crm.service.models import Category as ComplaintCategory
from crm.service.models import Complaint, Severity
from crm.service.models import State as ComplaintState

from .fields import ExportField, Names, Read, attr, choice, department, moment, user
from .models import Target

Id = Annotated[int, Integer(1, MAX_ID)]


# --- reading a row's values ------------------------------------------------------------------


def _day(name: str) -> Read:
    def read(row: Any, _names: Names) -> str:
        value: dt.date | None = getattr(row, name, None)
        return value.isoformat() if value else ""

    return read


def _yes(name: str) -> Read:
    return lambda row, _names: str(_("是")) if getattr(row, name, False) else ""


# --- how a row is shown -------------------------------------------------------------------


def _shown_customer(masker: Masker, row: Any) -> frozenset[str]:
    """The row's customer as the reader may see it (``customer_name``, ``customer_number``:
    the only customer fields a list exports); the customer's fields hidden from the reader.
    Not a display copy of the whole customer: that reads (and decrypts) every hidden field
    of every row."""
    customer = getattr(row, "customer", None)
    if customer is None:
        row.customer_name = row.customer_number = ""
        return masker.hidden(None)
    hidden = masker.hidden(customer)
    name = customer.name
    row.customer_name = mask_value("name", name) if "name" in hidden else name
    row.customer_number = customer.number or ""
    return hidden


def _prepare_order(masker: Masker, row: Any) -> Any:
    hidden = _shown_customer(masker, row)
    if "phone" in hidden:  # the order's contact phone is the customer's phone group
        row.contact_phone = mask_value("phone", row.contact_phone)
    return row


def _prepare_visit(masker: Masker, row: Any) -> Any:
    if "name" in _shown_customer(masker, row):  # the visitor's name is the customer's
        row.name = mask_value("name", row.name)
    return row


def _prepare_complaint(masker: Masker, row: Any) -> Any:
    if "name" in _shown_customer(masker, row):  # the complainant's name, as the customer's
        row.complainant = mask_value("name", row.complainant)
    phone = sensitive.read_phone(row) if row.phone_store else ""
    row.shown_phone = phone if masker.sees_in_scope("phone") else mask_value("phone", phone)
    return row


def _prepare_customer_row(masker: Masker, row: Any) -> Any:
    """A row whose customer data is its customer's: the customer shown to the reader."""
    _shown_customer(masker, row)
    return row


# --- the filters (as on each list page) -----------------------------------------------------

FILTER_LABELS: dict[str, str | Promise] = {
    "q": _("搜索"),
    "state": _("状态"),
    "customer": _("客户"),
    "category": _("投诉类别"),
    "severity": _("严重程度"),
    "mine": _("只看我处理的"),
    "overdue": _("已超期"),
    "staff": _("跟进人"),
    "kind": _("跟进方式"),
    "since": _("起始日期"),
    "until": _("截止日期"),
    "status": _("状态"),
    "owner": _("负责人"),
    "stale": _("停滞"),
    "department": _("部门"),
    "start": _("开始日期"),
    "end": _("结束日期"),
}


class OrderListFilter(Input):
    """The order list's filter (as on the list page and ``GET /orders``)."""

    q: Annotated[str, Text(100)] = Field("", description="搜索：客户名称、款号、订单编号")
    state: Annotated[str, Choice(OrderState, blank=True)] = Field("", description="订单状态")
    customer: Id | None = Field(None, description="客户 id")


class ComplaintListFilter(Input):
    """The complaint list's filter (as on the list page and ``GET /complaints``)."""

    q: Annotated[str, Text(100)] = Field("", description="投诉编号或投诉人")
    state: Annotated[str, Choice(ComplaintState, blank=True)] = Field("", description="状态")
    category: Annotated[str, Choice(ComplaintCategory, blank=True)] = Field(
        "", description="投诉类别"
    )
    severity: Annotated[str, Choice(Severity, blank=True)] = Field("", description="严重程度")
    mine: bool = Field(False, description="只要我处理的")
    overdue: bool = Field(False, description="只要已超期的")
    customer: Id | None = Field(None, description="客户 id")


class FollowUpListFilter(Input):
    """Follow-up records: of one customer, by one person, of one kind, between two days."""

    customer: Id | None = Field(None, description="客户 id")
    staff: Id | None = Field(None, description="跟进人用户 id")
    kind: Annotated[str, Choice(FollowUpKind, blank=True)] = Field("", description="跟进方式")
    since: Annotated[dt.date, Day()] | None = Field(None, description="起始日期（含）")
    until: Annotated[dt.date, Day()] | None = Field(None, description="截止日期（含）")


class OpportunityListFilter(Input):
    """The opportunity list's filter (as on the list page and ``GET /opportunities``): left out,
    the status is open, as the list shows; blank, every status."""

    q: Annotated[str, Text(100)] = Field("", description="机会名称或客户")
    status: Annotated[str, Choice(OpportunityStatus, blank=True)] = Field(
        "open", description="open 进行中 / won 赢单 / lost 输单；空：全部"
    )
    owner: Id | None = Field(None, description="负责人用户 id")
    customer: Id | None = Field(None, description="客户 id")
    stale: bool = Field(False, description="只要停滞的")


class VisitListFilter(Input):
    """来电来访登记 of a period, as the page reads it (left out: today; one day given: that
    day; at most a year), and a department."""

    start: Annotated[dt.date, Day()] | None = Field(None, description="开始日期（含）")
    end: Annotated[dt.date, Day()] | None = Field(None, description="结束日期（含）")
    department: Id | None = Field(None, description="部门 id")


def _opportunities(actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
    filters = sales_selectors.Filters(**cleaned)
    return sales_selectors.opportunities_matching(actor=actor, filters=filters)


def _visit_period(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The period as the page reads it: today, or the one day given."""
    start = cleaned.get("start") or cleaned.get("end") or timezone.localdate()
    return {**cleaned, "start": start, "end": cleaned.get("end") or start}


def _visits(actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
    period = _visit_period(cleaned)
    try:
        return reception_selectors.visit_list(
            actor=actor,
            start=period["start"],
            end=period["end"],
            department_id=cleaned.get("department"),
        )
    except Invalid as exc:  # the period's own errors, as the filter's
        raise Invalid(fields={f"filter.{k}": v for k, v in exc.fields.items()}) from exc


def _all_visits(actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
    from crm.accounts.roles import VIEW_VISIT
    from crm.core.permissions import restrict

    return restrict(Visit.objects.all(), actor, VIEW_VISIT)


class _Plain:
    """A row read as plain values (attributes by column name): what the export reads of a
    follow-up, and of its customer what masking decides by (id, owner, department)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


_FOLLOWUP_COLUMNS = (
    "id",
    "staff_id",
    "kind",
    "occurred_at",
    "content",
    "outcome",
    "purpose",
    "feedback",
    "next_step",
    "satisfaction",
    "comment",
)
_CUSTOMER_COLUMNS = ("id", "name", "number", "owner_id", "department_id")


def _load_followups(actor: User, ids: list[int]) -> list[Any]:
    """A batch by its ids, then its customers checked by theirs: "customer in the readable
    customers" by the ids' side (SQLite, given the whole condition, walked every readable
    customer for each id: 2 s a batch with 20,000 customers). Read as plain values: model
    instances of a record and its customer were most of an export's time."""
    columns = (*_FOLLOWUP_COLUMNS, *(f"customer__{c}" for c in _CUSTOMER_COLUMNS))
    found = FollowUp.objects.filter(pk__in=ids).values_list(*columns)
    width = len(_FOLLOWUP_COLUMNS)
    rows: list[Any] = []
    for values in found:
        own = dict(zip(_FOLLOWUP_COLUMNS, values[:width], strict=True))
        customer = dict(zip(_CUSTOMER_COLUMNS, values[width:], strict=True))
        rows.append(
            _Plain(
                **own,
                pk=own["id"],
                customer_id=customer["id"],
                customer=_Plain(pk=customer["id"], **customer),
            )
        )
    readable = set(
        activity_selectors.readable_customers(actor)
        .filter(pk__in={r.customer_id for r in rows})
        .values_list("pk", flat=True)
    )
    return [r for r in rows if r.customer_id in readable]


def _orders(actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
    filters = order_selectors.OrderFilters(**cleaned)
    return order_selectors.orders_matching(actor=actor, filters=filters)


def _complaints(actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
    filters = service_selectors.ComplaintFilters(**cleaned)
    return service_selectors.complaints_matching(actor=actor, filters=filters)


def _followups(actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
    filters = activity_selectors.FollowUpFilters(**cleaned)
    return activity_selectors.followups_matching(actor=actor, filters=filters)


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListExport:
    target: str
    title: str | Promise  # the file's sheet and name
    filter_input: type[Input]
    matching: Callable[[User, Mapping[str, Any]], QuerySet[Any]]
    fields: tuple[ExportField, ...]
    default: tuple[str, ...]
    related: tuple[str, ...]  # loaded with each batch of rows
    prepare: Callable[[Masker, Any], Any]
    choices: Mapping[str, type[models.TextChoices]]  # the filter's choice fields, for words
    order: tuple[str, ...] = ("-id",)
    defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # the rows a request may still show at its download, whatever its filter (None: matching
    # with an empty filter; the visits' filter has a default period)
    visible: Callable[[User, Mapping[str, Any]], QuerySet[Any]] | None = None
    # what a filter leaves out, filled in as the list reads it (the visits' period)
    complete: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    # the rows of a batch of ids still in the reader's sight (None: ``visible`` by the ids)
    load: Callable[[User, list[int]], list[Any]] | None = None

    def batch(self, actor: User, ids: list[int]) -> list[Any]:
        """The rows of ``ids`` the reader may still see, with their customers."""
        if self.load is not None:
            return self.load(actor, ids)
        everything = self.visible or self.matching
        return list(everything(actor, {}).select_related(*self.related).filter(pk__in=ids))

    @functools.cached_property
    def by_code(self) -> dict[str, ExportField]:
        return {f.code: f for f in self.fields}

    def ordered(self, codes: list[str]) -> list[ExportField]:
        wanted = set(codes)
        return [f for f in self.fields if f.code in wanted]

    def filter(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The filter validated (``Invalid`` names ``filter.<field>``), what was left out read
        as the list page reads it (``defaults``: the opportunity list shows open ones)."""
        try:
            cleaned = validate(self.filter_input, data)
        except Invalid as exc:
            raise Invalid(fields={f"filter.{k}": v for k, v in exc.fields.items()}) from exc
        whole = {**self.defaults, **cleaned}
        return self.complete(whole) if self.complete is not None else whole

    @staticmethod
    def stated(cleaned: Mapping[str, Any]) -> dict[str, Any]:
        """The filter's conditions (what narrows it), as JSON: what a request records."""
        return {
            k: v.isoformat() if isinstance(v, dt.date) else v
            for k, v in cleaned.items()
            if v not in ("", None, False)
        }

    def rows(self, actor: User, cleaned: Mapping[str, Any]) -> QuerySet[Any]:
        return self.matching(actor, cleaned).order_by(*self.order)

    def words(self, criteria: Mapping[str, Any]) -> list[tuple[str, str]]:
        """A filter in words: (label, value), the choices by their names, people by name."""
        out: list[tuple[str, str]] = []
        for key, value in criteria.items():
            if value in ("", None, False):
                continue
            label = FILTER_LABELS.get(key, key)
            shown: Any = value
            if key in self.choices:
                shown = dict(self.choices[key].choices).get(value, value)
            elif key in ("staff", "owner"):
                user = User.objects.filter(pk=value).first()
                shown = user.display_name if user is not None else value
            elif key == "department":
                from crm.accounts.models import Department

                found = Department.objects.filter(pk=value).first()
                shown = found.name if found is not None else value
            elif key == "customer":
                shown = f"#{value}"
            elif value is True:
                shown = "✓"
            out.append((str(label), str(shown)))
        return out


ORDERS = ListExport(
    target=Target.ORDERS,
    title=_("订单"),
    filter_input=OrderListFilter,
    matching=_orders,
    fields=(
        ExportField("number", _("订单编号"), attr("number")),
        ExportField("order_date", _("订单日期"), _day("order_date")),
        ExportField("customer_number", _("客户编号"), attr("customer_number")),
        ExportField("customer", _("客户"), attr("customer_name")),
        ExportField("state", _("状态"), choice(Order, "state")),
        ExportField("total", _("订单金额"), attr("total")),
        ExportField("currency", _("币种"), attr("currency")),
        ExportField("payment_method", _("付款方式"), choice(Order, "payment_method")),
        ExportField("by_instalments", _("分期付款"), _yes("by_instalments")),
        ExportField("contact_name", _("联系人"), attr("contact_name")),
        ExportField("contact_phone", _("联系电话"), attr("contact_phone")),
        ExportField("created_by", _("登记人"), user("created_by")),
        ExportField("sold_by", _("成交销售"), user("sold_by")),
        ExportField("department", _("部门"), department("sold_department")),
        ExportField("confirmed_on", _("确认日期"), _day("confirmed_on")),
        ExportField("expected_delivery", _("期望交付日期"), _day("expected_delivery")),
        ExportField("delivered_on", _("交付日期"), _day("delivered_on")),
        ExportField("external_number", _("外部单号"), attr("external_number")),
        ExportField("style_number", _("款号"), attr("style_number")),
        ExportField("notes", _("其他备注"), attr("notes")),
        ExportField("created_at", _("创建时间"), moment("created_at")),
    ),
    default=("number", "order_date", "customer", "state", "total", "currency", "created_by"),
    related=("customer",),
    prepare=_prepare_order,
    choices={"state": OrderState},
)

COMPLAINTS = ListExport(
    target=Target.COMPLAINTS,
    title=_("投诉"),
    filter_input=ComplaintListFilter,
    matching=_complaints,
    fields=(
        ExportField("number", _("投诉编号"), attr("number")),
        ExportField("created_at", _("登记时间"), moment("created_at")),
        ExportField("complainant", _("投诉人"), attr("complainant")),
        ExportField("phone", _("联系电话"), attr("shown_phone")),
        ExportField("customer", _("客户"), attr("customer_name")),
        ExportField("channel", _("投诉渠道"), choice(Complaint, "channel")),
        ExportField("category", _("投诉类别"), choice(Complaint, "category")),
        ExportField("severity", _("严重程度"), choice(Complaint, "severity")),
        ExportField("product", _("产品"), attr("product")),
        ExportField("order_number", _("订单号"), attr("order_number")),
        ExportField("description", _("投诉内容"), attr("description")),
        ExportField("request", _("客户要求"), attr("request")),
        ExportField("state", _("状态"), choice(Complaint, "state")),
        ExportField("handler", _("处理人"), user("handler")),
        ExportField("department", _("部门"), department("department")),
        ExportField("response_due", _("响应期限"), moment("response_due")),
        ExportField("resolve_due", _("解决期限"), moment("resolve_due")),
        ExportField("resolved_at", _("解决时间"), moment("resolved_at")),
    ),
    default=("number", "created_at", "complainant", "category", "severity", "state", "handler"),
    related=("customer",),
    prepare=_prepare_complaint,
    choices={"state": ComplaintState, "category": ComplaintCategory, "severity": Severity},
)

FOLLOWUPS = ListExport(
    target=Target.FOLLOWUPS,
    title=_("跟进记录"),
    filter_input=FollowUpListFilter,
    matching=_followups,
    fields=(
        ExportField("occurred_at", _("时间"), moment("occurred_at")),
        ExportField("customer_number", _("客户编号"), attr("customer_number")),
        ExportField("customer", _("客户"), attr("customer_name")),
        ExportField("kind", _("方式"), choice(FollowUp, "kind")),
        ExportField("staff", _("跟进人"), user("staff")),
        ExportField("purpose", _("目的"), attr("purpose")),
        ExportField("content", _("内容"), attr("content")),
        ExportField("outcome", _("结果"), attr("outcome")),
        ExportField("feedback", _("客户反馈"), attr("feedback")),
        ExportField("next_step", _("下一步"), attr("next_step")),
        ExportField("satisfaction", _("满意度（1-5）"), attr("satisfaction")),
        ExportField("comment", _("经理点评"), attr("comment")),
    ),
    default=("occurred_at", "customer", "kind", "staff", "content", "outcome", "next_step"),
    related=("customer",),
    prepare=_prepare_customer_row,
    choices={"kind": FollowUpKind},
    load=_load_followups,
    order=("-occurred_at", "-id"),
)

OPPORTUNITIES = ListExport(
    target=Target.OPPORTUNITIES,
    title=_("销售机会"),
    filter_input=OpportunityListFilter,
    matching=_opportunities,
    fields=(
        ExportField("name", _("机会名称"), attr("name")),
        ExportField("customer_number", _("客户编号"), attr("customer_number")),
        ExportField("customer", _("客户"), attr("customer_name")),
        ExportField("pipeline", _("销售流程"), attr("pipeline.name")),
        ExportField("stage", _("阶段"), attr("stage.name")),
        ExportField("status", _("状态"), choice(Opportunity, "status")),
        ExportField("amount", _("金额"), attr("amount")),
        ExportField("currency", _("币种"), attr("currency")),
        ExportField("expected_close_on", _("预计成交日期"), _day("expected_close_on")),
        ExportField("owner", _("负责人"), user("owner")),
        ExportField("department", _("部门"), department("department")),
        ExportField("last_activity_at", _("最近活动时间"), moment("last_activity_at")),
        ExportField("won_on", _("成交日期"), _day("won_on")),
        ExportField("lost_reason", _("输单原因"), attr("lost_reason.name")),
        ExportField("notes", _("备注"), attr("notes")),
        ExportField("created_at", _("创建时间"), moment("created_at")),
    ),
    default=("name", "customer", "stage", "status", "amount", "expected_close_on", "owner"),
    related=("customer", "pipeline", "stage", "lost_reason"),
    prepare=_prepare_customer_row,  # the customer shown to the reader, nothing else of its own
    choices={"status": OpportunityStatus},
    defaults={"status": OpportunityStatus.OPEN},
)

VISITS = ListExport(
    target=Target.VISITS,
    title=_("来访登记"),
    filter_input=VisitListFilter,
    matching=_visits,
    visible=_all_visits,
    fields=(
        ExportField("at", _("时间"), moment("at")),
        ExportField("channel", _("方式"), choice(Visit, "channel")),
        ExportField("name", _("客户姓名"), attr("name")),
        ExportField("customer_number", _("客户编号"), attr("customer_number")),
        ExportField("party_size", _("来访人数"), attr("party_size")),
        ExportField("kind", _("来访类型"), choice(Visit, "kind")),
        ExportField("interest", _("意向"), attr("interest")),
        ExportField("source", _("认知途径"), attr("source")),
        ExportField("served_by", _("接待人"), user("served_by")),
        ExportField("owner", _("负责人"), user("owner")),
        ExportField("department", _("部门"), department("department")),
        ExportField("registered_by", _("登记人"), user("registered_by")),
        ExportField("notes", _("备注"), attr("notes")),
    ),
    default=("at", "channel", "name", "kind", "interest", "source", "served_by"),
    related=("customer",),
    prepare=_prepare_visit,
    choices={},
    complete=_visit_period,
    order=("-at", "-id"),
)

LISTS: dict[str, ListExport] = {
    spec.target: spec for spec in (ORDERS, OPPORTUNITIES, COMPLAINTS, FOLLOWUPS, VISITS)
}
