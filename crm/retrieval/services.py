"""Writes of data retrieval (客户数据调用申请): filing a request, its approval, the one export.

``request_file`` fixes which customers (the list filter read through ``restrict()`` as the
requester sees it now, or chosen ids in their scope), which fields and why, and asks the
requester's department director, then the general manager (``crm.governance.flows``,
kind ``retrieval.export``). A step the requester would decide themselves is left out: a
director's request goes to the general manager alone, the general manager's is approved when
filed. The last approval opens the export for ``CRM_RETRIEVAL_EXPIRY_HOURS``.

``request_export`` hands the requester the file once: the customers still in their scope, masked
to their clearance (``masker_for``), watermarked; the request is marked exported with the file's
SHA-256 and the export is one audited event. Its customers are the request's items, which is how
the access log (查阅登记) of one customer finds every export that held it. A second download,
an expired or a pending request is refused (409).

``list_export_file`` files the same request for the rows of another list (orders, opportunities,
complaints, follow-up records, visits: crm.retrieval.lists) by that list's filter; at most
``CRM_BULK_READ_THRESHOLD`` rows are opened at once (a bulk read anyone may make of what they
see), more wait for the same two signatures. Each row keeps its customer, so the access log
finds these exports too.

Other bulk reads of customer data pass ``crm.governance.services.bulk_read_check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import REQUEST_DATA, VIEW_CUSTOMER, VIEW_DATA_REQUEST
from crm.core import bulk
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import allows, require, restrict
from crm.customers import selectors as customer_selectors
from crm.customers.models import Customer
from crm.governance import approvals, audit
from crm.governance.approvals import Step
from crm.governance.flows import flow_of
from crm.governance.masking import masker_for
from crm.governance.models import ApprovalRequest, ApprovalState

from . import exports, fields, lists
from .inputs import CUSTOMERS_MAX, DataRequestInput, ListExportInput
from .models import DataRequest, RequestItem, RequestState, Target

KIND = "retrieval.export"
BATCH = 1000


def max_records() -> int:
    return int(getattr(settings, "CRM_RETRIEVAL_MAX_RECORDS", CUSTOMERS_MAX))


def direct_max() -> int:
    """Requests of at most this many customers need no approval (0: every one does)."""
    return int(getattr(settings, "CRM_EXPORT_DIRECT_MAX", 0))


def list_direct_max() -> int:
    """List exports of at most this many rows are opened when filed (the bulk-read threshold)."""
    return int(getattr(settings, "CRM_BULK_READ_THRESHOLD", 500))


def expiry() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "CRM_RETRIEVAL_EXPIRY_HOURS", 72)))


def _filters(data: Mapping[str, Any]) -> customer_selectors.CustomerFilters:
    return customer_selectors.CustomerFilters(
        **{
            k: v
            for k, v in data.items()
            if k in customer_selectors.CustomerFilters.__dataclass_fields__
        }
    )


def _chosen(actor: User, cleaned: Mapping[str, Any]) -> list[int]:
    """The ids of the customers asked for, as the requester sees them now, newest first."""
    limit = max_records()
    if cleaned.get("customers"):
        wanted = list(dict.fromkeys(cleaned["customers"]))
        seen = set(
            restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        if len(seen) != len(wanted):
            raise Invalid(fields={"customers": _("有客户不存在或不在您的查看范围内")})
        return sorted(seen, reverse=True)
    filters = _filters(cleaned.get("filter") or {})
    ids = customer_selectors.customer_ids(actor=actor, filters=filters, limit=limit + 1)
    if len(ids) > limit:
        raise Invalid(
            fields={
                "filter": _("一次最多调用 %(n)s 条客户数据，请缩小筛选范围后分批申请")
                % {"n": limit}
            }
        )
    return ids


def _steps(actor: User) -> list[Step]:
    """The configured chain after the requester's own place in it: a director's request goes to
    the general manager; the general manager's, whose signature is the last, to nobody."""
    chain = list(flow_of(KIND))
    own = [n for n, s in enumerate(chain) if s.role and s.role == actor.role_id]
    return chain[own[-1] + 1 :] if own else chain


def _criteria_text(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    if cleaned.get("customers"):
        return {"customers": len(set(cleaned["customers"]))}
    return {k: v for k, v in (cleaned.get("filter") or {}).items() if v not in ("", None, False)}


def _open(request: DataRequest, at: dt.datetime) -> None:
    request.state = RequestState.APPROVED
    request.approved_at = at
    request.expires_at = at + expiry()


@transaction.atomic
def request_file(*, actor: User, data: Mapping[str, Any]) -> DataRequest:
    """File a 客户数据调用申请 for the customers of a list filter (or chosen ones)."""
    require(actor, REQUEST_DATA)
    cleaned = validate(DataRequestInput, data)
    ids = _chosen(actor, cleaned)
    if not ids:
        raise Invalid(fields={"filter": _("没有符合条件的客户")})
    chosen = [f.code for f in fields.ordered(cleaned["fields"])]
    request = DataRequest.objects.create(
        requested_by=actor,
        department_id=actor.department_id,
        purpose=cleaned["purpose"],
        recipient=cleaned["recipient"],
        criteria=_criteria_text(cleaned),
        record_count=len(ids),
        fields=chosen,
        file_format=cleaned.get("file_format") or "xlsx",
    )
    bulk.insert_rows(
        RequestItem,
        [{"request_id": request.pk, "position": n, "customer_id": pk} for n, pk in enumerate(ids)],
        batch_size=BATCH * 5,
    )
    return _submit(actor, request, direct=len(ids) <= direct_max())


def _submit(actor: User, request: DataRequest, *, direct: bool) -> DataRequest:
    """The filed request to its signers (none when ``direct`` or nobody is above the
    requester), saved and audited."""
    count = request.record_count
    steps = [] if direct else _steps(actor)
    if steps:
        if request.target == Target.CUSTOMERS:
            title = _("客户数据调用申请 %(number)s：%(n)s 条客户 → %(to)s")
        else:
            title = _("%(what)s导出申请 %(number)s：%(n)s 条 → %(to)s")
        request.approval = approvals.approval_submit(
            actor=actor,
            kind=KIND,
            title=title
            % {
                "number": request.number,
                "n": count,
                "to": request.recipient,
                "what": request.get_target_display(),
            },
            payload={
                "request": request.pk,
                "count": count,
                "fields": request.fields,
                "target": request.target,
            },
            reason=request.purpose,
            steps=steps,
        )
    else:  # nobody above the requester in the chain, or a small export: no one else signs
        _open(request, timezone.now())
    request.save()
    audit.record(
        actor=actor,
        verb="retrieval.requested",
        obj=request,
        after={
            "target": request.target,
            "purpose": request.purpose,
            "recipient": request.recipient,
            "count": count,
            "fields": request.fields,
            "criteria": request.criteria,
        },
    )
    return request


def list_spec(target: str) -> lists.ListExport:
    spec = lists.LISTS.get(target)
    if spec is None:
        raise NotFound()
    return spec


def list_matching(
    *, actor: User, spec: lists.ListExport, cleaned: Mapping[str, Any], limit: int
) -> int:
    """How many rows of a list's validated filter (``spec.filter``) the actor sees (up to
    ``limit`` + 1)."""
    return len(spec.rows(actor, cleaned).values_list("pk", flat=True)[: limit + 1])


@transaction.atomic
def list_export_file(*, actor: User, data: Mapping[str, Any]) -> DataRequest:
    """File the export of a list's rows (orders, opportunities, complaints …) by its filter:
    opened at once up to the bulk-read threshold, else waiting for the same signatures as a
    客户数据调用申请."""
    require(actor, REQUEST_DATA)
    cleaned = validate(ListExportInput, data)
    spec = list_spec(cleaned["target"])
    unknown = [c for c in cleaned["fields"] if c not in spec.by_code]
    if unknown:
        raise Invalid(
            fields={"fields": _("不是可导出的字段：%(codes)s") % {"codes": ", ".join(unknown)}}
        )
    criteria = spec.filter(cleaned.get("filter") or {})
    limit = max_records()
    rows = list(spec.rows(actor, criteria).values_list("pk", "customer_id")[: limit + 1])
    if len(rows) > limit:
        raise Invalid(
            fields={"filter": _("一次最多导出 %(n)s 条，请缩小筛选范围后分批申请") % {"n": limit}}
        )
    if not rows:
        raise Invalid(fields={"filter": _("没有符合条件的记录")})
    request = DataRequest.objects.create(
        target=spec.target,
        requested_by=actor,
        department_id=actor.department_id,
        purpose=cleaned["purpose"],
        recipient=cleaned["recipient"],
        criteria=spec.stated(criteria),
        record_count=len(rows),
        fields=[f.code for f in spec.ordered(cleaned["fields"])],
        file_format=cleaned.get("file_format") or "xlsx",
    )
    bulk.insert_rows(
        RequestItem,
        [
            {"request_id": request.pk, "position": n, "customer_id": customer, "record_id": pk}
            for n, (pk, customer) in enumerate(rows)
        ],
        batch_size=BATCH * 5,
    )
    return _submit(actor, request, direct=len(rows) <= list_direct_max())


@approvals.handler(KIND)
def _approved(approval: ApprovalRequest, actor: Any) -> None:
    request = (
        DataRequest.objects.select_for_update()
        .filter(pk=approval.payload.get("request"), state=RequestState.PENDING)
        .first()
    )
    if request is None:
        raise StateConflict(_("该调用申请已不在审批中"))
    _open(request, timezone.now())
    request.decision_note = approval.decision_note
    request.save(update_fields=["state", "approved_at", "expires_at", "decision_note"])


def on_decided(approval: ApprovalRequest) -> None:
    """A refused (or failed) request closes with the decider's reason."""
    if approval.kind != KIND or approval.state == ApprovalState.APPROVED:
        return
    state = (
        RequestState.REJECTED if approval.state == ApprovalState.REJECTED else RequestState.FAILED
    )
    DataRequest.objects.filter(
        pk=approval.payload.get("request"), state=RequestState.PENDING
    ).update(state=state, decision_note=approval.decision_note)


def request_get(*, actor: User, request_id: int) -> DataRequest:
    """One request for its requester, the managers and directors of their department, the data
    administrator and the general manager, and whoever decides one of its steps."""
    request = (
        DataRequest.objects.select_related("requested_by", "department", "approval")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound()
    if allows(actor, VIEW_DATA_REQUEST, request):
        return request
    if request.approval is not None:
        approvals.approval_get(actor=actor, request_id=request.approval.pk)  # 404 unless theirs
        return request
    raise NotFound()


def _rows(
    actor: User, request: DataRequest, chosen: Sequence[fields.ExportField]
) -> Iterator[list[Any]]:
    """The request's customers still in the requester's scope, in its order, as display values
    (masked), 1,000 at a time."""
    masker = masker_for(actor)
    names = fields.Names()
    visible = restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER)
    ids: list[int] = request.customer_ids
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = {c.pk: c for c in visible.filter(pk__in=chunk)}
        for pk in chunk:
            customer = found.get(pk)
            if customer is not None:
                shown = masker.show(customer)
                yield [f.read(shown, names) for f in chosen]


def _list_rows(
    actor: User, request: DataRequest, spec: lists.ListExport, chosen: Sequence[fields.ExportField]
) -> Iterator[list[Any]]:
    """A list export's rows still in the requester's sight, in its order, as display values
    (the customers' fields masked to the requester's clearance), 1,000 at a time."""
    masker = masker_for(actor)
    names = fields.Names()
    ids: list[int] = request.record_ids
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = {r.pk: r for r in spec.batch(actor, chunk)}
        for pk in chunk:
            row = found.get(pk)
            if row is not None:
                shown = spec.prepare(masker, row)
                yield [f.read(shown, names) for f in chosen]


@transaction.atomic
def request_export(*, actor: User, request_id: int) -> exports.ExportFile:
    """The requester's one download of an approved, unexpired request."""
    request = DataRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound()
    if request.requested_by_id != actor.pk:
        request_get(actor=actor, request_id=request_id)  # 404 for those who may not see it
        raise PermissionDenied(_("只有申请人本人可以导出"))
    require(actor, REQUEST_DATA)
    if request.state == RequestState.PENDING:
        raise StateConflict(_("该申请尚未审批通过"))
    if request.state in (RequestState.REJECTED, RequestState.FAILED):
        raise StateConflict(_("该申请未获批准，不能导出"))
    if request.state == RequestState.EXPORTED:
        raise StateConflict(_("该申请的数据已导出过一次，不能再次导出；如需再次提供，请重新申请"))
    if request.expired:
        raise StateConflict(
            _("该申请已于 %(at)s 过期，请重新申请")
            % {"at": timezone.localtime(request.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    now = timezone.now()
    if request.target == Target.CUSTOMERS:
        chosen = fields.ordered(request.fields)
        rows = _rows(actor, request, chosen)
        what = ""
        filename = _("客户数据_%(number)s") % {"number": request.number}
    else:
        spec = list_spec(request.target)
        chosen = spec.ordered(request.fields)
        rows = _list_rows(actor, request, spec, chosen)
        what = str(spec.title)
        filename = _("%(what)s_%(number)s") % {"what": what, "number": request.number}
    mark = exports.Watermark(
        number=request.number,
        requester=actor.display_name,
        at=timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        purpose=request.purpose,
        recipient=request.recipient,
        what=what,
    )
    out = exports.write(
        request.file_format,
        mark=mark,
        headers=[str(f.label) for f in chosen],
        rows=rows,
        filename=filename,
    )
    request.state = RequestState.EXPORTED
    request.exported_at = now
    request.exported_rows = out.rows
    request.file_sha256 = out.sha256
    request.save(update_fields=["state", "exported_at", "exported_rows", "file_sha256"])
    audit.record(
        actor=actor,
        verb="retrieval.exported",
        obj=request,
        details={
            "target": request.target,
            "count": out.rows,
            "skipped": request.record_count - out.rows,
            "fields": request.fields,
            "format": request.file_format,
            "sha256": out.sha256,
        },
    )
    return out
