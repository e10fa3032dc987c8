"""The workday pages: 今日工作 (Today), recording a follow-up, plans, reminders, the manager's
evening meeting (夕会) and the calendar with its subscription address. Each view parses input,
calls a service or selector of ``crm.activities`` and renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from crm.accounts.roles import (
    ADD_FOLLOWUP,
    COMMENT_FOLLOWUP,
    MANAGE_PLAN,
    VIEW_CUSTOMER,
    VIEW_PLAN,
    VIEW_POOL,
    VIEW_TEAM_DAY,
)
from crm.activities import selectors, services
from crm.activities.models import FollowUp
from crm.core.errors import Conflict, Invalid
from crm.core.pagination import Page
from crm.customers import selectors as customers
from crm.customers.models import Customer
from crm.governance.masking import masker_for
from crm.pool import selectors as pool_selectors
from crm.web.base import (
    CrmView,
    apply_domain_error,
    bad_request,
    form_error_status,
    is_partial,
)
from crm.web.customers.presenters import history_entries

from . import presenters
from .customer import workday_context
from .forms import (
    CalendarForm,
    DayForm,
    FollowUpForm,
    Origin,
    PlanForm,
    PlanRescheduleForm,
)
from .presenters import DueRow, today_counts_for

PLAN_LIMIT = 50
HISTORY_LIMIT = 200
NOTIFICATION_LIMIT = 10
POOL_LIMIT = 50


# --- Today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuePage:
    which: str  # overdue | today
    rows: list[DueRow]
    next_cursor: str | None


def _due_page(request: HttpRequest, which: str, today: dt.date, cursor: str | None) -> DuePage:
    actor: Any = request.user
    try:
        page = services.due_browse(actor=actor, today=today, which=which, cursor=cursor)
    except Invalid:  # a mangled cursor: the first page
        page = services.due_browse(actor=actor, today=today, which=which)
    rows = presenters.due_rows(masker_for(actor).show_all(page.items), today)
    return DuePage(which, rows, page.next_cursor)


def today_context(request: HttpRequest, *, fresh: bool = False) -> dict[str, Any]:
    """Everything on the Today page; ``fresh`` after a write (the counts changed)."""
    actor: Any = request.user
    today = timezone.localdate()
    cursors = {"overdue_cursor": request.GET.get("overdue"), "due_cursor": request.GET.get("due")}
    try:
        lists = services.today_open(actor=actor, today=today, plan_limit=PLAN_LIMIT + 1, **cursors)
    except Invalid:  # a mangled cursor: the first pages
        lists = services.today_open(actor=actor, today=today, plan_limit=PLAN_LIMIT + 1)
    plans = lists.plans

    masker = masker_for(actor)

    def due(which: str, page: Page[Customer]) -> DuePage:
        rows = presenters.due_rows(masker.show_all(page.items), today)
        return DuePage(which, rows, page.next_cursor)

    return {
        "today": today,
        "counts": today_counts_for(request, fresh=fresh),
        "overdue": due("overdue", lists.overdue),
        "due_today": due("today", lists.due_today),
        "plans": presenters.plan_rows(plans[:PLAN_LIMIT], today),
        "plans_cut": len(plans) > PLAN_LIMIT,
        "notifications": list(
            selectors.notifications(actor=actor, unread_only=True)[:NOTIFICATION_LIMIT]
        ),
        # the owner's customers about to return to a pool (the pool's warning), soonest first
        "pool_returning": pool_selectors.returning(actor=actor, today=today, limit=POOL_LIMIT)
        if actor.has_action(VIEW_POOL)
        else None,
    }


class TodayView(CrmView):
    """今日工作: overdue and due customers, today's plans and callbacks, reminders."""

    action = VIEW_CUSTOMER
    template_name = "web/activities/today.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(today_context(request))


class DueRowsView(CrmView):
    """The next page of a due list (the 加载更多 button)."""

    action = VIEW_CUSTOMER

    def get(self, request: HttpRequest) -> HttpResponse:
        which = "today" if request.GET.get("which") == "today" else "overdue"
        page = _due_page(request, which, timezone.localdate(), request.GET.get("cursor"))
        return self.render({"page": page}, template="web/activities/_due_rows.html")


# --- recording a follow-up ------------------------------------------------------------------


def followup_form(origin: Origin, data: Any = None, initial: Any = None) -> FollowUpForm:
    return FollowUpForm(data, initial=initial, auto_id=f"{origin.slot}-%s")


class FollowUpCreateView(CrmView):
    """记录跟进. From the Today page and the customer page it works in place (htmx); on success
    the response only updates the sections that changed (out of band)."""

    action = ADD_FOLLOWUP
    template_name = "web/activities/followup_page.html"
    form_template = "web/activities/_followup_form.html"

    def _customer(self, customer_id: int) -> Any:
        return customers.customer_get(
            actor=self.actor, customer_id=customer_id, action=ADD_FOLLOWUP
        )

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(customer_id)
        origin = Origin.read(request.GET)
        initial = {k: request.GET[k] for k in ("kind", "plan") if request.GET.get(k)}
        context = {"customer": customer, "form": followup_form(origin, initial=initial)}
        context["origin"] = origin
        if is_partial(request):
            return self.render(context, template=self.form_template)
        return self.render(context)

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        origin = Origin.read(request.POST)
        form = followup_form(origin, request.POST)
        if form.is_valid():
            try:
                followup = services.followup_record(
                    actor=self.actor,
                    customer_id=customer_id,
                    data=form.service_data(),
                    files=request.FILES.getlist("files"),
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                return self._done(followup, origin)
        context = {"customer": self._customer(customer_id), "form": form, "origin": origin}
        if is_partial(request):
            return self.render(context, status=422, template=self.form_template)
        return self.render(context, status=form_error_status(form))

    def _done(self, followup: FollowUp, origin: Origin) -> HttpResponse:
        text = _("已记录 %(name)s 的%(kind)s跟进") % {
            "name": followup.customer.name,
            "kind": followup.get_kind_display(),
        }
        if not is_partial(self.request):
            messages.success(self.request, text)
            return redirect(origin.next_url(followup.customer_id))
        return refresh(self.request, origin, followup.customer_id, text, reset_form=True)


def refresh(
    request: HttpRequest, origin: Origin, customer_id: int, flash: str, *, reset_form: bool
) -> HttpResponse:
    """After a write from the Today page or the customer page: only the sections that changed,
    swapped out of band (``reset_form``: a blank follow-up form replaces the one just sent)."""
    context: dict[str, Any] = {"flash": flash, "reset_form": reset_form}
    if origin.on == "today":
        context.update(today_context(request, fresh=True))
        template = "web/activities/_today_refresh.html"
    else:
        actor: Any = request.user
        customer = customers.customer_get(actor=actor, customer_id=customer_id)
        context.update(workday_context(customer, actor=actor))
        events = customers.customer_history(customer=customer)[:HISTORY_LIMIT]
        context["history"] = history_entries(events, masker=masker_for(actor), customer=customer)
        context["counts"] = today_counts_for(request, fresh=True)
        template = "web/customers/_workday_refresh.html"
    response = render(request, template, context)
    response["HX-Reswap"] = "none"
    return response


# --- plans ----------------------------------------------------------------------------------


class _PlanView(CrmView):
    action = MANAGE_PLAN
    template_name = "web/activities/plan_page.html"

    def _done(self, customer_id: int, text: str) -> HttpResponse:
        if not is_partial(self.request):
            messages.success(self.request, text)
            return redirect(_plans_url(customer_id))
        origin = Origin("customer", "followup")
        return refresh(self.request, origin, customer_id, text, reset_form=False)

    def get(self, request: HttpRequest, customer_id: int, plan_id: int) -> HttpResponse:
        return redirect(_plans_url(customer_id))


def _plans_url(customer_id: int) -> str:
    return reverse("web:customer_detail", args=[customer_id]) + "#plans"


class PlanCreateView(_PlanView):
    """安排跟进计划 on the customer page."""

    def _form(self, data: Any = None) -> PlanForm:
        owners = selectors.plan_assignees(actor=self.actor)
        return PlanForm(data, owners=owners, initial={"assignee": self.actor.pk})

    def get(self, request: HttpRequest, customer_id: int, plan_id: int = 0) -> HttpResponse:
        customer = customers.customer_get(
            actor=self.actor, customer_id=customer_id, action=MANAGE_PLAN
        )
        return self.render({"customer": customer, "plan_form": self._form()})

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_create(
                    actor=self.actor, customer_id=customer_id, data=form.cleaned_data
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                when = timezone.localtime(plan.planned_at).strftime("%Y-%m-%d %H:%M")
                text = _("已安排 %(when)s %(method)s跟进") % {
                    "when": when,
                    "method": plan.get_method_display(),
                }
                return self._done(customer_id, text)
        customer = customers.customer_get(actor=self.actor, customer_id=customer_id)
        if is_partial(request):
            context = workday_context(customer, actor=self.actor, plan_form=form)
            return self.render(context, status=422, template="web/customers/_plans.html")
        return self.render({"customer": customer, "plan_form": form}, status=422)


class PlanUpdateView(_PlanView):
    """Reschedule or reword an open plan (改期)."""

    def post(self, request: HttpRequest, customer_id: int, plan_id: int) -> HttpResponse:
        form = PlanRescheduleForm(request.POST, prefix=f"p{plan_id}")
        if form.is_valid():
            try:
                plan = services.plan_update(
                    actor=self.actor,
                    plan_id=plan_id,
                    version=form.cleaned_data["version"],
                    data=form.service_data(),
                )
            except (Invalid, Conflict) as exc:
                apply_domain_error(form, exc)
            else:
                when = timezone.localtime(plan.planned_at).strftime("%Y-%m-%d %H:%M")
                return self._done(plan.customer_id, _("计划已改到 %(when)s") % {"when": when})
        customer = customers.customer_get(actor=self.actor, customer_id=customer_id)
        if is_partial(request):
            context = workday_context(customer, actor=self.actor, failed=(plan_id, form))
            return self.render(context, status=422, template="web/customers/_plans.html")
        for error in form.errors.values():
            messages.error(request, " ".join(map(str, error)))
        return redirect(_plans_url(customer_id))


class PlanCancelView(_PlanView):
    """Cancel an open plan (取消计划)."""

    def post(self, request: HttpRequest, customer_id: int, plan_id: int) -> HttpResponse:
        try:
            plan = services.plan_cancel(
                actor=self.actor, plan_id=plan_id, reason=request.POST.get("reason", "")[:200]
            )
        except Invalid as exc:
            messages.error(request, str(exc.message))
            return redirect(_plans_url(customer_id))
        return self._done(plan.customer_id, _("已取消该跟进计划"))


class FollowUpCommentView(CrmView):
    """点评 from the customer's timeline or from 夕会: back to the page it was made on."""

    action = COMMENT_FOLLOWUP

    def post(self, request: HttpRequest, followup_id: int) -> HttpResponse:
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("web:team_day")
        try:
            services.followup_comment(
                actor=self.actor, followup_id=followup_id, comment=request.POST.get("comment", "")
            )
        except Invalid as exc:
            messages.error(request, exc.first_message)
        else:
            messages.success(request, _("已保存点评"))
        return redirect(back)


class AttachmentView(CrmView):
    """A photo or file of a follow-up, to those who may read its customer (the opening is
    logged). Images and PDFs open in the browser, other files download; the response runs no
    script of the file's (sandboxed) and is not cached."""

    action = VIEW_CUSTOMER

    def get(self, request: HttpRequest, attachment_id: int) -> HttpResponseBase:
        attachment = services.attachment_open(actor=self.actor, attachment_id=attachment_id)
        inline = attachment.is_image or attachment.content_type == "application/pdf"
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=not inline,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
        response["Cache-Control"] = "no-store"
        return response


# --- reminders ------------------------------------------------------------------------------


class NotificationReadView(CrmView):
    """Mark one reminder (``id``) or all of them as read."""

    action = VIEW_CUSTOMER

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("id", "")
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            return bad_request(request, _("提醒编号无效"))
        ids = [int(raw)] if raw else None
        services.notifications_mark_read(actor=self.actor, ids=ids)
        if not is_partial(request):
            return redirect("web:today")
        context = today_context(request, fresh=True)
        return self.render(context, template="web/activities/_notifications_refresh.html")


# --- the evening meeting (夕会) --------------------------------------------------------------


class TeamDayView(CrmView):
    """夕会: what the department's customers went through on a day, rep by rep."""

    action = VIEW_TEAM_DAY
    template_name = "web/activities/team_day.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = DayForm(request.GET)
        if form.error:
            return bad_request(request, form.error)
        today = timezone.localdate()
        day = min(form.day_value, today)
        team = services.team_day_open(actor=self.actor, day=day)
        # who is behind right now (only meaningful for today's meeting)
        overdue = selectors.team_overdue(actor=self.actor, today=today) if day == today else []
        return self.render(
            {
                "form": form,
                "team": team,
                "reps": presenters.team_by_rep(team, overdue),
                "day": day,
                "is_today": day == today,
                "previous": day - dt.timedelta(days=1),
                "next": day + dt.timedelta(days=1),
            }
        )


# --- the calendar ---------------------------------------------------------------------------


def feed_address(request: HttpRequest, token: str) -> str:
    """The secret iCalendar address (served by the API at /api/v1/calendar/<token>.ics)."""
    return request.build_absolute_uri(f"/api/v1/calendar/{token}.ics")


class CalendarView(CrmView):
    """日程: a week or a month of one's plans and visits, and the subscription address."""

    action = VIEW_PLAN
    template_name = "web/activities/calendar.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CalendarForm(request.GET)
        if form.error:
            return bad_request(request, form.error)
        day, view = form.day_value, form.view_value
        start, end, first, following = presenters.calendar_range(day, view)
        days = presenters.calendar_days(
            start=start,
            end=end,
            period=(first, following),
            plans=selectors.calendar_plans(actor=self.actor, start=start, end=end),
            visits=selectors.calendar_visits(actor=self.actor, start=start, end=end),
            today=timezone.localdate(),
        )
        feed = services.calendar_feed(actor=self.actor)
        step = dt.timedelta(days=7)
        previous, following_day = day - step, day + step
        if view == "month":
            previous = (first - dt.timedelta(days=1)).replace(day=1)
            following_day = following
        return self.render(
            {
                "view": view,
                "day": day,
                "first": first,
                "last": following - dt.timedelta(days=1),
                "days": days,
                "weeks": presenters.weeks(days),
                "busy_days": [d for d in days if d.entries and d.in_range],
                "previous": previous,
                "following": following_day,
                "today": timezone.localdate(),
                "feed_url": feed_address(request, feed.token),
            }
        )


class CalendarResetView(CrmView):
    """A new secret address; the old one stops working at once."""

    action = VIEW_PLAN

    def post(self, request: HttpRequest) -> HttpResponse:
        services.calendar_feed_reset(actor=self.actor)
        messages.success(request, _("已生成新的订阅地址，旧地址已失效。请在日历程序中重新订阅。"))
        return redirect(reverse("web:calendar") + "#subscribe")
