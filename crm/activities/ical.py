"""The personal iCalendar feed (日程管理 from other calendar programs), RFC 5545 via ``icalendar``.

The secret address is the credential: calendar programs subscribe without signing in. A feed
carries the owner's plans and callbacks (30 days back, 180 ahead) and the visits they recorded;
of the customer only the name and the plan's content, never a phone number or ID number.
Every fetch is logged (``calendar_feed.fetched``, with the number of events and the caller's IP).
UIDs are stable per plan and visit so that subscribers update events rather than duplicate them;
``SEQUENCE`` is the plan's version; times are in UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from crm.accounts.models import User
from crm.accounts.roles import VIEW_PLAN
from crm.core.errors import NotFound
from crm.governance import audit

from . import selectors
from .choices import PlanKind, PlanStatus
from .models import FollowUp, Plan

DAYS_BACK = 30
DAYS_AHEAD = 180
PLAN_MINUTES = 30
VISIT_MINUTES = 60
CONTENT_MAX = 1000
PRODID = "-//CRM//客户管理系统//ZH"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # secrets.token_urlsafe


def feed_ics(*, token: str, base_url: str, now: dt.datetime | None = None) -> bytes:
    """The feed of the user whose secret address ``token`` is; ``NotFound`` for an unknown or
    reset token, a deactivated user or a role that sees no customers."""
    user = selectors.feed_owner(token=token) if _TOKEN.fullmatch(token) else None
    if user is None or not user.has_action(VIEW_PLAN):
        raise NotFound()
    ics = render_feed(user=user, base_url=base_url, now=now)
    # the secret address is the owner's credential: the fetch is theirs, logged like a read
    audit.record(
        actor=user,
        verb="calendar_feed.fetched",
        obj=user,
        details={"count": ics.count(b"BEGIN:VEVENT")},
    )
    return ics


def render_feed(*, user: User, base_url: str, now: dt.datetime | None = None) -> bytes:
    today = timezone.localdate(now or timezone.now())
    start, end = today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)
    base = base_url.rstrip("/")
    host = urlsplit(base).hostname or "crm"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("客户跟进 · %(name)s") % {"name": user.display_name})
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for plan in selectors.calendar_plans(actor=user, start=start, end=end):
        cal.add_component(_plan_event(plan, base, host))
    for visit in selectors.calendar_visits(actor=user, start=start, end=end):
        cal.add_component(_visit_event(visit, base, host))
    ics: bytes = cal.to_ical()
    return ics


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _plan_event(plan: Plan, base: str, host: str) -> Event:
    customer = plan.customer
    what = _("回访") if plan.kind == PlanKind.CALLBACK else str(plan.get_method_display())
    summary = _("%(what)s：%(name)s") % {"what": what, "name": customer.name}
    if plan.status == PlanStatus.DONE:
        summary = _("（已完成）%(summary)s") % {"summary": summary}
    elif plan.status == PlanStatus.MISSED:
        summary = _("（已逾期）%(summary)s") % {"summary": summary}
    event = Event()
    event.add("uid", f"plan-{plan.pk}@{host}")
    event.add("dtstamp", _utc(plan.updated_at))
    event.add("last-modified", _utc(plan.updated_at))
    event.add("sequence", plan.version)
    event.add("dtstart", _utc(plan.planned_at))
    event.add("dtend", _utc(plan.planned_at + dt.timedelta(minutes=PLAN_MINUTES)))
    event.add("summary", summary)
    if plan.content:
        event.add("description", plan.text[:CONTENT_MAX])
    event.add("url", f"{base}/customers/{customer.pk}/")
    event.add("categories", [str(PlanKind(plan.kind).label)])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _visit_event(visit: FollowUp, base: str, host: str) -> Event:
    summary = _("%(what)s：%(name)s") % {
        "what": visit.get_kind_display(),
        "name": visit.customer.name,
    }
    details = [visit.purpose, visit.content]  # not the place: it may be a home address
    event = Event()
    event.add("uid", f"visit-{visit.pk}@{host}")
    event.add("dtstamp", _utc(visit.updated_at))
    event.add("dtstart", _utc(visit.occurred_at))
    event.add("dtend", _utc(visit.occurred_at + dt.timedelta(minutes=VISIT_MINUTES)))
    event.add("summary", summary)
    text = "\n".join(d for d in details if d)
    if text:
        event.add("description", text[:CONTENT_MAX])
    event.add("url", f"{base}/customers/{visit.customer_id}/")
    event.add("status", "CONFIRMED")
    return event
