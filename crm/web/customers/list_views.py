"""The customer list a team works from: columns chosen per user, saved and shared views, bulk
actions on a selection or on the whole filter. Thin views: the rules are in
``crm.customers.listviews`` and ``crm.customers.bulk``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from crm.accounts.roles import VIEW_CUSTOMER
from crm.activities.tasks import customer_bulk
from crm.core.errors import DomainError, Invalid
from crm.customers import bulk, listviews, selectors
from crm.web.base import CrmView, bad_request

from .forms import CustomerFilterForm


def _list_url(query: str = "") -> str:
    url = reverse("web:customer_list")
    return f"{url}?{query}" if query else url


def _back(request: HttpRequest) -> str:
    """The list address the form came from (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    list_url = reverse("web:customer_list")
    if target.startswith(list_url) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return list_url


def _filter_form(request: HttpRequest, data: QueryDict) -> CustomerFilterForm:
    actor = request.user
    return CustomerFilterForm(
        data,
        owners=selectors.owner_filter_options(actor=actor),  # type: ignore[arg-type]
        tags=selectors.tag_list(),
    )


def _query_of(text: str) -> QueryDict:
    return QueryDict(text[:2000])


class ColumnsView(CrmView):
    """Remember the columns the user ticked (列设置)."""

    action = VIEW_CUSTOMER

    def post(self, request: HttpRequest) -> HttpResponse:
        chosen = listviews.columns_set(actor=self.actor, columns=request.POST.getlist("columns"))
        messages.success(request, _("已保存列设置（%(n)s 列）") % {"n": len(chosen)})
        return redirect(_back(request))


class SavedViewListView(CrmView):
    """The user's saved views (rename, delete, share) and those shared with them; POST saves
    the list as it is now under a name."""

    action = VIEW_CUSTOMER
    template_name = "web/customers/views.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self._context())

    def _context(self, **extra: Any) -> dict[str, Any]:
        own = list(listviews.own_views(actor=self.actor))
        return {
            "own": own,
            "shared": list(listviews.shared_views(actor=self.actor)),
            "presets": listviews.PRESETS,
            "may_share": listviews.may_share(self.actor),
            "column_labels": listviews.COLUMN_LABELS,
            **extra,
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        form = _filter_form(request, _query_of(request.POST.get("query", "")))
        params = {k: form.value(k) for k in listviews.VIEW_PARAMS}
        try:
            view = listviews.view_save(
                actor=self.actor,
                name=request.POST.get("name", ""),
                params=params,
                columns=request.POST.getlist("columns") or listviews.list_columns(actor=self.actor),
            )
        except DomainError as exc:
            message = exc.first_message
            messages.error(request, message)
            return redirect(_back(request))
        messages.success(request, _("已保存视图“%(name)s”") % {"name": view.name})
        return redirect(view_url(view))


def view_url(view: Any) -> str:
    params = QueryDict(mutable=True)
    params.update(view.params)
    params["view"] = str(view.pk)
    return _list_url(params.urlencode())


class SavedViewChangeView(CrmView):
    """Rename, delete or share one of the user's own views (POST)."""

    action = VIEW_CUSTOMER
    operation = ""

    def post(self, request: HttpRequest, view_id: int) -> HttpResponse:
        try:
            if self.operation == "rename":
                view = listviews.view_rename(
                    actor=self.actor, view_id=view_id, name=request.POST.get("name", "")
                )
                messages.success(request, _("已重命名为“%(name)s”") % {"name": view.name})
            elif self.operation == "delete":
                listviews.view_delete(actor=self.actor, view_id=view_id)
                messages.success(request, _("已删除视图"))
            else:
                shared = request.POST.get("shared") == "1"
                view = listviews.view_share(actor=self.actor, view_id=view_id, shared=shared)
                messages.success(
                    request,
                    (_("已共享给本部门：%(name)s") if shared else _("已取消共享：%(name)s"))
                    % {"name": view.name},
                )
        except (Invalid, DomainError) as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, exc.first_message)
        return redirect("web:customer_views")


class BulkView(CrmView):
    """批量操作 on the list: the checked customers (``ids``) at once; the whole filter
    (``target=filter``, the list's ``query``) after a confirmation that tells how many, in the
    background when there are more than ``bulk.INLINE_MAX``."""

    action = VIEW_CUSTOMER
    template_name = "web/customers/bulk_confirm.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        operation = request.POST.get("operation", "")
        value = request.POST.get({"transfer": "owner", "grade": "grade"}.get(operation, "tag"), "")
        query = request.POST.get("query", "")[:2000]
        back = _list_url(query)
        try:
            value = bulk.clean_request(actor=self.actor, operation=operation, value=value)
        except Invalid as exc:
            messages.error(request, exc.first_message)
            return redirect(back)
        if request.POST.get("target") == "filter":
            return self._whole_filter(request, operation, value, query, back)
        raw = request.POST.getlist("ids")
        if not all(i.isascii() and i.isdigit() and len(i) <= 18 for i in raw):
            return bad_request(request, _("所选客户无效，请刷新页面后重试"))
        if not raw:
            messages.error(request, _("请先勾选客户"))
            return redirect(back)
        outcome = bulk.bulk_apply(
            actor=self.actor, operation=operation, value=value, ids=[int(i) for i in raw]
        )
        self._tell(request, outcome)
        return redirect(back)

    def _tell(self, request: HttpRequest, outcome: bulk.Outcome) -> None:
        level = messages.success if not (outcome.refused or outcome.failed) else messages.warning
        level(request, outcome.summary())

    def _whole_filter(
        self, request: HttpRequest, operation: str, value: Any, query: str, back: str
    ) -> HttpResponse:
        form = _filter_form(request, _query_of(query))
        filters = form.filters()
        if request.POST.get("confirm") != "1":
            count = selectors.customer_count(actor=self.actor, filters=filters)
            if count is None:  # a text search: its matches counted by walking them
                found = selectors.customer_ids(
                    actor=self.actor, filters=filters, limit=bulk.BATCH_MAX + 1
                )
                count = selectors.Count(len(found), True)
            return self.render(
                {
                    "count": count,
                    "operation": operation,
                    "operation_label": dict(OPERATION_LABELS)[operation],
                    "value": value,
                    "value_label": self._value_label(operation, value),
                    "query": query,
                    "back": back,
                    "background": count.value > bulk.INLINE_MAX or not count.exact,
                    "limit": bulk.BATCH_MAX,
                    "over_limit": count.value > bulk.BATCH_MAX or not count.exact,
                }
            )
        ids = selectors.customer_ids(actor=self.actor, filters=filters, limit=bulk.BATCH_MAX)
        if len(ids) > bulk.INLINE_MAX:
            customer_bulk.enqueue(
                actor_id=self.actor.pk,
                operation=operation,
                value=str(value),
                ids=ids,
                language=get_language() or "",
            )
            messages.info(
                request,
                _("正在后台处理 %(n)s 位客户，完成后会在提醒中通知您") % {"n": len(ids)},
            )
            return redirect(back)
        outcome = bulk.bulk_apply(actor=self.actor, operation=operation, value=value, ids=ids)
        self._tell(request, outcome)
        return redirect(back)

    def _value_label(self, operation: str, value: Any) -> str:
        if operation == bulk.TRANSFER:
            owner = selectors.assignable_owners(actor=self.actor).filter(pk=value).first()
            return owner.display_name if owner else str(value)
        return str(value)


OPERATION_LABELS = (
    (bulk.TRANSFER, gettext_lazy("转移给")),
    (bulk.ADD_TAG, gettext_lazy("添加标签")),
    (bulk.REMOVE_TAG, gettext_lazy("移除标签")),
    (bulk.SET_GRADE, gettext_lazy("变更级别为")),
)
