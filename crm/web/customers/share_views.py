"""客户共享 on the customer page: share the customer with a colleague (read-only or read-write,
until a date) and revoke a share. Who may, with whom and until when: crm.customers.shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import ASSIGN_CUSTOMER
from crm.core.errors import NotFound
from crm.core.permissions import allows
from crm.customers import selectors, shares
from crm.customers.models import Customer
from crm.web.base import FORM_ERRORS, CrmView, apply_domain_error

from .forms import ShareForm

SHARE_DAYS_DEFAULT = 14


def _shares_url(customer_id: int) -> str:
    return reverse("web:customer_detail", args=[customer_id]) + "#shares"


def share_context(
    customer: Customer, *, actor: User, form: ShareForm | None = None
) -> dict[str, Any]:
    """The 共享 panel: the customer's shares, the form to add one (for those who may assign the
    customer) and the actor's own share (the page says read-only)."""
    today = timezone.localdate()
    can_share = allows(actor, ASSIGN_CUSTOMER, customer)
    if can_share and form is None:
        form = ShareForm(
            initial={"mode": "read", "until": today + dt.timedelta(days=SHARE_DAYS_DEFAULT)},
            colleagues=shares.share_candidates(customer=customer),
        )
    listed = shares.shares_of(customer=customer)
    mine = [s for s in listed if s.user_id == actor.pk and s.until >= today]
    return {
        "shares": listed,
        "share_form": form if can_share else None,
        "can_share": can_share,
        "my_share": mine[0] if mine and customer.owner_id != actor.pk else None,
        "today": today,
    }


class CustomerShareView(CrmView):
    """Share the customer with a colleague (or change their share)."""

    action = ASSIGN_CUSTOMER

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=ASSIGN_CUSTOMER
        )
        form = ShareForm(request.POST, colleagues=shares.share_candidates(customer=customer))
        if form.is_valid():
            try:
                share = shares.customer_share(
                    actor=self.actor,
                    customer_id=customer_id,
                    data={k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
                )
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已共享给 %(who)s，至 %(until)s")
                    % {"who": share.user.display_name, "until": share.until.isoformat()},
                )
                return redirect(_shares_url(customer_id))
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_shares_url(customer_id))


class CustomerUnshareView(CrmView):
    """Revoke a share: the colleague loses the customer at once."""

    action = ASSIGN_CUSTOMER

    def post(self, request: HttpRequest, customer_id: int, share_id: int) -> HttpResponse:
        try:
            shares.customer_unshare(actor=self.actor, customer_id=customer_id, share_id=share_id)
        except NotFound:
            selectors.customer_get(
                actor=self.actor, customer_id=customer_id, action=ASSIGN_CUSTOMER
            )
            messages.error(request, _("该共享已不存在"))
        else:
            messages.success(request, _("已取消共享"))
        return redirect(_shares_url(customer_id))
