"""The retrieval request's pages (客户数据调用申请): the requests, filing one from the customer
list's current filter, one request with its approval steps and the requester's one download.
Thin: the rules are crm.retrieval's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import REQUEST_DATA, VIEW_DATA_REQUEST
from crm.core.errors import DomainError, Invalid
from crm.core.permissions import has_action
from crm.customers import selectors as customer_selectors
from crm.governance.masking import masker_for
from crm.retrieval import selectors, services
from crm.retrieval.fields import BY_CODE, criteria_rows
from crm.retrieval.lists import LISTS
from crm.retrieval.models import DataRequest, RequestState, Target
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import DataRequestForm, ListExportForm, list_filter, list_query_filter


class DataRequestListView(CrmView):
    """客户数据调用: the requests the actor may see, newest first."""

    action = VIEW_DATA_REQUEST
    template_name = "web/retrieval/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            {
                "requests": selectors.request_list(actor=self.actor),
                "may_request": has_action(self.actor, REQUEST_DATA),
                "lists": LISTS.values(),
            }
        )


class DataRequestNewView(CrmView):
    """客户数据调用申请表: the customers of the list's filter (``?query=`` the list's query
    string), why, for whom, which fields, which file."""

    action = REQUEST_DATA
    template_name = "web/retrieval/new.html"

    def list_query(self) -> QueryDict:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return QueryDict(source.get("query", "")[:2000])

    def page(self, form: DataRequestForm) -> dict[str, Any]:
        query = self.list_query()
        filters = list_filter(query)
        limit = services.max_records()
        count = selectors.matching(
            actor=self.actor, filters=customer_selectors.CustomerFilters(**filters), limit=limit
        )
        return {
            "form": form,
            "query": query.urlencode(),
            "filters": criteria_rows(filters),
            "count": count,
            "too_many": count > limit,
            "limit": limit,
        }

    def form(self, data: Any = None) -> DataRequestForm:
        masker = masker_for(self.actor)
        return DataRequestForm(data, masked=[c for c in BY_CODE if not masker.sees_in_scope(c)])

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page(self.form()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                filed = services.request_file(
                    actor=self.actor, data=form.service_data(list_filter(self.list_query()))
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
                for field, message in exc.fields.items():
                    if field.startswith("filter") and field != "filter":
                        form.add_error(None, str(message))
            else:
                messages.success(
                    request,
                    _("已提交客户数据调用申请 %(number)s，等待部门总监和总经理审批")
                    % {"number": filed.number},
                )
                return redirect("web:data_request_detail", filed.pk)
        return self.render(self.page(form), status=form_error_status(form))


class ListExportNewView(CrmView):
    """导出 a list (orders, opportunities, complaints …): its rows by the list's filter
    (``?query=`` the list page's query string), why, for whom, which fields, which file."""

    action = REQUEST_DATA
    template_name = "web/retrieval/list_export.html"

    def list_query(self) -> QueryDict:
        """The list's filter: the page's own query (the list page links here with its query),
        carried through the form as ``query``."""
        if self.request.method == "POST":
            return QueryDict(self.request.POST.get("query", "")[:2000])
        if "query" in self.request.GET:  # the list page's export button: its address as it is now
            return QueryDict(self.request.GET.get("query", "")[:2000])
        return self.request.GET

    def page(self, spec: Any, form: ListExportForm) -> dict[str, Any]:
        query = self.list_query()
        wanted = list_query_filter(spec, query)
        limit = services.max_records()
        error = ""
        values = {k: query.get(k, "") for k in ("since", "until", "kind", "start", "end")}
        try:
            cleaned = spec.filter(wanted)
            count = services.list_matching(
                actor=self.actor, spec=spec, cleaned=cleaned, limit=limit
            )
            words = spec.words(cleaned)
            values.update({k: str(cleaned[k]) for k in values if cleaned.get(k)})  # as read
        except Invalid as exc:
            count, words = 0, []
            error = "；".join(str(m) for m in exc.fields.values())
        return {
            "spec": spec,
            "form": form,
            "query": query.urlencode(),
            "values": values,
            "kinds": spec.choices.get("kind").choices if "kind" in spec.choices else [],
            "filters": words,
            "filter_error": error,
            "count": count,
            "too_many": count > limit,
            "limit": limit,
            "direct_max": services.list_direct_max(),
        }

    def get(self, request: HttpRequest, target: str) -> HttpResponse:
        spec = services.list_spec(target)
        return self.render(self.page(spec, ListExportForm(spec=spec)))

    def post(self, request: HttpRequest, target: str) -> HttpResponse:
        spec = services.list_spec(target)
        form = ListExportForm(request.POST, spec=spec)
        if form.is_valid():
            wanted = list_query_filter(spec, self.list_query())
            try:
                filed = services.list_export_file(
                    actor=self.actor, data=form.service_data(spec.target, wanted)
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
                for field, message in exc.fields.items():
                    if field.startswith("filter"):
                        form.add_error(None, str(message))
            else:
                if filed.state == RequestState.APPROVED:
                    text = _("%(number)s 已登记，可以导出（仅一次）") % {"number": filed.number}
                else:
                    text = _("已提交导出申请 %(number)s，等待部门总监和总经理审批") % {
                        "number": filed.number
                    }
                messages.success(request, text)
                return redirect("web:data_request_detail", filed.pk)
        return self.render(self.page(spec, form), status=form_error_status(form))


def _described(filed: DataRequest) -> tuple[list[Any], list[tuple[str, str]]]:
    """A request's field titles and filter in words, by what it exported."""
    if filed.target == Target.CUSTOMERS:
        return [BY_CODE[c].label for c in filed.fields if c in BY_CODE], criteria_rows(
            filed.criteria
        )
    spec = LISTS.get(filed.target)
    if spec is None:
        return list(filed.fields), []
    known = spec.by_code
    return [known[c].label for c in filed.fields if c in known], spec.words(filed.criteria)


class DataRequestDetailView(CrmView):
    """One request: what, why, for whom, its steps, and the download for its requester."""

    action = None
    template_name = "web/retrieval/detail.html"

    def get(self, request: HttpRequest, request_id: int) -> HttpResponse:
        filed = services.request_get(actor=self.actor, request_id=request_id)
        labels, criteria = _described(filed)
        return self.render(
            {
                "r": filed,
                "fields": labels,
                "criteria": criteria,
                "mine": filed.requested_by_id == self.actor.pk,
            }
        )


class DataRequestExportView(CrmView):
    """The requester's one download (POST: it changes the request)."""

    action = REQUEST_DATA

    def post(self, request: HttpRequest, request_id: int) -> HttpResponseBase:
        try:
            export = services.request_export(actor=self.actor, request_id=request_id)
        except DomainError as exc:
            if exc.status not in (409,):
                raise
            messages.error(request, str(exc.message))
            return redirect("web:data_request_detail", request_id)
        return export.response()
