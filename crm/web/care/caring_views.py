"""The pages of 客户关怀: the birthday and deal-anniversary reminders, a customer's birthdays,
care campaigns and their customers' responses. Thin: the rules are crm.care's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import CHANGE_CUSTOMER, MANAGE_CAMPAIGN, VIEW_CARE
from crm.care import caring, selectors
from crm.care.inputs import WINDOW_MAX
from crm.care.models import CampaignState, TargetState
from crm.core.errors import DomainError, Invalid
from crm.core.permissions import has_action
from crm.customers import listviews
from crm.customers import selectors as customer_selectors
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import BirthdayForm, CampaignForm, TargetForm

PAGE_MAX = 500


class RemindersView(CrmView):
    """生日与成交周年: the next N days (7 by default), in the reader's customer scope."""

    action = VIEW_CARE
    template_name = "web/care/reminders.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            days = min(max(int(request.GET.get("days", "7")), 1), WINDOW_MAX)
        except ValueError:
            days = 7
        return self.render(
            {
                "days": days,
                "birthdays": selectors.birthdays(actor=self.actor, days=days),
                "anniversaries": selectors.anniversaries(actor=self.actor, days=days),
            }
        )


class BirthdayView(CrmView):
    """A customer's birthdays (its own and its contacts'), set by whoever may edit it."""

    action = CHANGE_CUSTOMER
    template_name = "web/care/birthday.html"

    def page(self, customer_id: int, form: BirthdayForm | None = None) -> HttpResponse:
        customer = customer_selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=CHANGE_CUSTOMER
        )
        form = form or self.form(customer)
        return self.render(
            {
                "customer": customer,
                "form": form,
                "birthdays": selectors.birthdays_of(actor=self.actor, customer_id=customer.pk),
            },
            status=form_error_status(form),
        )

    def form(self, customer: Any, data: Any = None) -> BirthdayForm:
        contacts = [("", customer.name), *((c.pk, c.name) for c in customer.contacts.all())]
        return BirthdayForm(data, contacts=contacts)

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        return self.page(customer_id)

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponseBase:
        customer = customer_selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=CHANGE_CUSTOMER
        )
        form = self.form(customer, request.POST)
        if form.is_valid():
            try:
                caring.birthday_set(
                    actor=self.actor, customer_id=customer.pk, data=form.cleaned_data
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存生日"))
                return redirect("web:care_birthday", customer.pk)
        return self.page(customer_id, form)


class CampaignListView(CrmView):
    """关怀活动: the campaigns, and starting one to a segment of the customer list."""

    action = VIEW_CARE
    template_name = "web/care/campaigns.html"

    def form(self, data: Any = None) -> CampaignForm:
        views = [(v.pk, v.name) for v in listviews.visible_views(actor=self.actor)]
        return CampaignForm(data, views=views)

    def page(self, form: CampaignForm | None = None) -> HttpResponse:
        may_start = has_action(self.actor, MANAGE_CAMPAIGN)
        form = form or self.form()
        return self.render(
            {
                "campaigns": selectors.campaign_list(actor=self.actor),
                "form": form if may_start else None,
            },
            status=form_error_status(form),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                started = caring.campaign_start(actor=self.actor, data=form.service_data())
            except Invalid as exc:
                apply_domain_error(form, exc)
                for field, message in exc.fields.items():
                    if field.startswith("filter."):
                        form.add_error(None, str(message))
            else:
                messages.success(
                    request,
                    _("已发起关怀活动，共 %(n)s 位客户") % {"n": started.target_count},
                )
                return redirect("web:care_campaign", started.pk)
        return self.page(form)


class CampaignDetailView(CrmView):
    """A campaign's customers the actor works (a rep: their own), with their responses."""

    action = VIEW_CARE
    template_name = "web/care/campaign.html"

    def get(self, request: HttpRequest, campaign_id: int) -> HttpResponse:
        state = request.GET.get("state", "")
        if state not in TargetState.values:
            state = ""
        campaign, rows = selectors.targets(actor=self.actor, campaign_id=campaign_id, state=state)
        return self.render(
            {
                "c": campaign,
                "targets": list(rows[:PAGE_MAX]),
                "tally": selectors.campaign_counts(actor=self.actor, campaign=campaign),
                "state": state,
                "states": TargetState.choices,
                "open": campaign.state == CampaignState.OPEN,
                "may_close": has_action(self.actor, MANAGE_CAMPAIGN),
                "form": TargetForm(),
            }
        )


class CampaignTargetView(CrmView):
    """Record one customer's response (the row's form posts here)."""

    action = VIEW_CARE

    def post(self, request: HttpRequest, campaign_id: int, target_id: int) -> HttpResponseBase:
        form = TargetForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择回应"))
        else:
            try:
                caring.target_record(
                    actor=self.actor,
                    campaign_id=campaign_id,
                    target_id=target_id,
                    data=form.cleaned_data,
                )
            except DomainError as exc:
                if exc.status not in (409, 422):
                    raise
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("已记录"))
        return redirect("web:care_campaign", campaign_id)


class CampaignCloseView(CrmView):
    action = MANAGE_CAMPAIGN

    def post(self, request: HttpRequest, campaign_id: int) -> HttpResponseBase:
        try:
            caring.campaign_close(actor=self.actor, campaign_id=campaign_id)
        except DomainError as exc:
            if exc.status != 409:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("活动已结束"))
        return redirect("web:care_campaign", campaign_id)
