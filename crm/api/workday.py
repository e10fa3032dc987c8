"""The follow-up workday: records, plans, the due list, Today, the timeline, reminders and the
calendar feed. Thin adapters over crm.activities services and selectors (the customer's scope is
checked there: 404 outside it)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from crm.accounts.roles import ADD_FOLLOWUP, COMMENT_FOLLOWUP, MANAGE_PLAN, VIEW_CUSTOMER, VIEW_PLAN
from crm.activities import ical, selectors, services
from crm.activities.services import ATTACHMENTS_MAX
from crm.customers import selectors as customer_selectors
from crm.governance.masking import masker_for

from . import presenters
from .schemas import ErrorOut, PathId
from .security import require_actor, signed_in
from .workday_schemas import (
    AttachmentOut,
    CalendarFeedOut,
    DayParams,
    DuePage,
    DueParams,
    FollowUpCommentIn,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    NotificationPage,
    NotificationParams,
    NotificationsReadIn,
    NotificationsReadOut,
    PageParams,
    PlanCancelIn,
    PlanIn,
    PlanOut,
    PlanPatch,
    TimelineItemOut,
    TodayOut,
)

router = Router(tags=["workday"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut}
_BODY: dict[int, Any] = {**_WRITE, 400: ErrorOut}  # 400: not JSON
PLANS_MAX = 200


# --- follow-up records ----------------------------------------------------------------------


@router.get("customers/{int:customer_id}/followups", response={200: FollowUpPage, **_READ})
def followup_list(
    request: HttpRequest, customer_id: PathId, params: Query[PageParams]
) -> dict[str, Any]:
    """A customer's follow-up records, newest first, a page at a time (keyset cursor)."""
    page = services.followups_open(
        actor=require_actor(request, VIEW_CUSTOMER),
        customer_id=customer_id,
        cursor=params.cursor,
        limit=params.limit,
    )
    return presenters.followup_page(page)


@router.post("customers/{int:customer_id}/followups", response={201: FollowUpOut, **_BODY})
def followup_record(
    request: HttpRequest, customer_id: PathId, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    """Record a follow-up (跟进记录). It fulfils the day's open plan (or ``plan``), moves the
    customer's last contact and next due date; ``next_at`` plans the next one."""
    followup = services.followup_record(
        actor=require_actor(request, ADD_FOLLOWUP),
        customer_id=customer_id,
        data=payload.model_dump(),
    )
    return Status(201, presenters.followup_out(followup))


@router.post("followups/{int:followup_id}/comment", response={200: FollowUpOut, **_BODY})
def followup_comment(
    request: HttpRequest, followup_id: PathId, payload: FollowUpCommentIn
) -> dict[str, Any]:
    """点评: a manager's comment on a follow-up record of the department's customers (the one
    who made it is told)."""
    followup = services.followup_comment(
        actor=require_actor(request, COMMENT_FOLLOWUP),
        followup_id=followup_id,
        comment=payload.comment,
    )
    return presenters.followup_out(followup)


# one to nine files in a request (the record's own limit of nine is the service's, which also
# answers an empty upload); said in the schema so that clients and the fuzzer know it
_UPLOADS = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {"properties": {"files": {"minItems": 1, "maxItems": ATTACHMENTS_MAX}}}
            }
        }
    }
}


@router.post(
    "followups/{int:followup_id}/attachments",
    response={201: list[AttachmentOut], **_BODY},
    openapi_extra=_UPLOADS,
)
def followup_attach(
    request: HttpRequest, followup_id: PathId, files: File[list[UploadedFile]]
) -> Status[list[dict[str, Any]]]:
    """Photos and files added to a follow-up record (multipart ``files``): at most 9 to a record,
    each up to 10 MB, pictures, PDF, Word or Excel judged by their content. All or nothing: one
    refused file refuses the lot, naming it."""
    added = services.attachments_add(
        actor=require_actor(request, ADD_FOLLOWUP), followup_id=followup_id, files=files
    )
    return Status(201, [presenters.attachment_out(a) for a in added])


_FILE = {
    "responses": {
        200: {
            "description": "附件内容（图片、PDF、Word、Excel）",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("attachments/{int:attachment_id}", response={200: None, **_READ}, openapi_extra=_FILE)
def attachment_download(request: HttpRequest, attachment_id: PathId) -> HttpResponseBase:
    """A photo or file of a follow-up (listed in the record's ``attachments``), to those who
    may read its customer; each opening is logged (查阅登记)."""
    attachment = services.attachment_open(
        actor=require_actor(request, VIEW_CUSTOMER), attachment_id=attachment_id
    )
    response = FileResponse(
        attachment.file.open("rb"), filename=attachment.name, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- plans ----------------------------------------------------------------------------------


@router.get("customers/{int:customer_id}/plans", response={200: list[PlanOut], **_READ})
def customer_plan_list(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    """A customer's plans and callbacks in date order, whatever their status."""
    plans = services.customer_plans_open(
        actor=require_actor(request, VIEW_CUSTOMER), customer_id=customer_id
    )
    return [presenters.plan_out(p) for p in plans]


@router.post("customers/{int:customer_id}/plans", response={201: PlanOut, **_BODY})
def plan_create(
    request: HttpRequest, customer_id: PathId, payload: PlanIn
) -> Status[dict[str, Any]]:
    """Plan a follow-up (客户跟进计划表: date and time, method, content, assignee)."""
    plan = services.plan_create(
        actor=require_actor(request, MANAGE_PLAN),
        customer_id=customer_id,
        data=payload.model_dump(),
    )
    return Status(201, presenters.plan_out(plan))


@router.get("plans", response={200: list[PlanOut], **_READ})
def plans_of_day(request: HttpRequest, params: Query[DayParams]) -> list[dict[str, Any]]:
    """The caller's open plans and callbacks of a day (default today), earliest first, with the
    earlier ones still open."""
    plans = services.plans_browse(
        actor=require_actor(request, VIEW_PLAN), day=params.day, limit=PLANS_MAX
    )
    return [presenters.plan_out(p) for p in plans]


@router.patch("plans/{int:plan_id}", response={200: PlanOut, **_BODY})
def plan_update(request: HttpRequest, plan_id: PathId, payload: PlanPatch) -> dict[str, Any]:
    """Reschedule, reword or reassign an open plan. A stale ``version``: 409 ``conflict``."""
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    plan = services.plan_update(
        actor=require_actor(request, MANAGE_PLAN), plan_id=plan_id, version=version, data=data
    )
    return presenters.plan_out(plan)


@router.post("plans/{int:plan_id}/cancel", response={200: PlanOut, **_BODY})
def plan_cancel(request: HttpRequest, plan_id: PathId, payload: PlanCancelIn) -> dict[str, Any]:
    """Cancel an open plan, with an optional reason (kept in the customer's history)."""
    plan = services.plan_cancel(
        actor=require_actor(request, MANAGE_PLAN), plan_id=plan_id, reason=payload.reason
    )
    return presenters.plan_out(plan)


# --- the day --------------------------------------------------------------------------------


@router.get("due", response={200: DuePage, **_READ})
def due_list(request: HttpRequest, params: Query[DueParams]) -> dict[str, Any]:
    """The caller's customers to follow up, most overdue first: ``overdue``, ``today`` or
    ``due`` (both). Keyset pages; the query count does not grow with the data."""
    today = timezone.localdate()
    page = services.due_browse(
        actor=require_actor(request, VIEW_CUSTOMER),
        today=today,
        which=params.which,
        cursor=params.cursor,
        limit=params.limit,
    )
    return presenters.due_page(page, today)


@router.get("today", response={200: TodayOut, **_READ})
def today(request: HttpRequest) -> dict[str, Any]:
    """The numbers of the Today page (今日工作) and the navigation."""
    day = timezone.localdate()
    counts = selectors.today_counts(actor=require_actor(request, VIEW_CUSTOMER), today=day)
    return {
        "day": day,
        "overdue": counts.overdue,
        "due_today": counts.due_today,
        "visits_today": counts.visits_today,
        "callbacks_today": counts.callbacks_today,
        "unread": counts.unread,
        "total": counts.total,
    }


@router.get("customers/{int:customer_id}/timeline", response={200: list[TimelineItemOut], **_READ})
def timeline(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    """One timeline of a customer, newest first: follow-ups, plans, category and grade changes,
    and field changes."""
    actor = require_actor(request, VIEW_CUSTOMER)
    items = services.timeline_open(actor=actor, customer_id=customer_id)
    customer = customer_selectors.customer_get(actor=actor, customer_id=customer_id)
    masker = masker_for(actor)
    return [presenters.timeline_out(i, masker, customer) for i in items]


# --- reminders ------------------------------------------------------------------------------


@router.get("notifications", response={200: NotificationPage, **_READ})
def notification_list(request: HttpRequest, params: Query[NotificationParams]) -> dict[str, Any]:
    """The caller's reminders (提醒), newest first; ``unread=true`` for the unread ones."""
    page = selectors.notification_page(
        actor=signed_in(request),
        unread_only=params.unread,
        cursor=params.cursor,
        limit=params.limit,
    )
    return presenters.notification_page(page)


@router.post("notifications/read", response={200: NotificationsReadOut, **_READ, 400: ErrorOut})
def notifications_read(request: HttpRequest, payload: NotificationsReadIn) -> dict[str, int]:
    """Mark the given reminders (or all) as read; returns how many changed."""
    marked = services.notifications_mark_read(actor=signed_in(request), ids=payload.ids)
    return {"marked": marked}


# --- the calendar feed ----------------------------------------------------------------------


def _feed_url(request: HttpRequest, token: str) -> dict[str, str]:
    return {"url": request.build_absolute_uri(f"/api/v1/calendar/{token}.ics")}


@router.get("calendar", response={200: CalendarFeedOut, **_READ})
def calendar_feed(request: HttpRequest) -> dict[str, str]:
    """The caller's secret iCalendar address, for calendar programs to subscribe to."""
    feed = services.calendar_feed(actor=require_actor(request, VIEW_PLAN))
    return _feed_url(request, feed.token)


@router.post("calendar/reset", response={200: CalendarFeedOut, **_READ})
def calendar_reset(request: HttpRequest) -> dict[str, str]:
    """A new secret address; the old one answers 404 from now on."""
    feed = services.calendar_feed_reset(actor=require_actor(request, VIEW_PLAN))
    return _feed_url(request, feed.token)


@router.get(
    "calendar/{token}.ics",
    auth=None,
    response={200: None, 404: ErrorOut},
    openapi_extra={
        "responses": {200: {"description": "text/calendar (RFC 5545)"}},
    },
)
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed: plans and callbacks 30 days back and 180 ahead, and recorded
    visits. No sign-in: the secret address is the credential (unknown or reset: 404)."""
    body = ical.feed_ics(token=token, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="crm.ics"'
    return response
