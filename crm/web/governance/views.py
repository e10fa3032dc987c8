"""The audit viewer (审计日志) for the data administrator: every change, every read of personal
data and every sign-in, filtered by who, which customer, what and when; a keyset page at a
time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from crm.accounts import selectors as accounts
from crm.accounts.roles import VIEW_AUDIT
from crm.core.errors import Invalid
from crm.core.pagination import Page
from crm.governance import selectors
from crm.governance.models import AuditEvent
from crm.web.base import CrmView, form_error_status

from .forms import AuditFilterForm
from .presenters import audit_rows, verb_choices


class AuditListView(CrmView):
    action = VIEW_AUDIT
    template_name = "web/governance/audit.html"

    def form(self, request: HttpRequest) -> AuditFilterForm:
        return AuditFilterForm(request.GET, users=accounts.user_options(), verbs=verb_choices())

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request)
        page = self._page(form)
        context = {
            "form": form,
            "rows": audit_rows(page.items),
            "next_query": form.query(page.next_cursor) if page.next_cursor else "",
            "first_query": form.query(),
            "paged": bool(form.value("cursor")),
        }
        return self.render(context, status=form_error_status(form))

    def _page(self, form: AuditFilterForm) -> Page[AuditEvent]:
        if form.errors:
            return Page([], None)
        try:
            return selectors.audit_page(
                actor=self.actor, filters=form.filters(), cursor=form.value("cursor")
            )
        except Invalid:  # a mangled cursor in a bookmark: the first page
            return selectors.audit_page(actor=self.actor, filters=form.filters())
