"""Customer pages: list with live search, detail with contacts and history, create, edit, delete,
and the data administrator's recycle bin. Each view parses input, calls one service or selector
and renders; scope and rules live in ``crm.customers``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import push_url

from crm.accounts.models import User
from crm.accounts.roles import (
    ADD_CUSTOMER,
    ASSIGN_CUSTOMER,
    CHANGE_CUSTOMER,
    DELETE_CUSTOMER,
    RESTORE_CUSTOMER,
    REVEAL_FIELD,
    VIEW_CUSTOMER,
    VIEW_DELETED_CUSTOMER,
)
from crm.core.errors import Conflict, Duplicate, Invalid, NotFound
from crm.core.pagination import Page
from crm.core.permissions import allows, has_action
from crm.customers import listviews, selectors, services
from crm.customers.choices import Grade
from crm.customers.models import Contact, Customer, SavedView
from crm.governance.masking import masked_fields, masker_for
from crm.web.activities.customer import workday_context
from crm.web.base import (
    FORM_ERRORS,
    CrmView,
    apply_domain_error,
    bad_request,
    form_error_status,
    is_partial,
)
from crm.web.referrals.views import referral_panel
from crm.web.templatetags.web_tags import change_labels

from .forms import ContactEditForm, ContactForm, CustomerEditForm, CustomerFilterForm, CustomerForm
from .presenters import customer_fields, history_entries
from .share_views import share_context

HISTORY_LIMIT = 200
CONTACTS_FRAGMENT = "web/customers/_contacts_update.html"


def _detail_url(customer_id: int) -> str:
    return reverse("web:customer_detail", args=[customer_id])


class CustomerListView(CrmView):
    action = VIEW_CUSTOMER
    template_name = "web/customers/list.html"
    partial_name = "results"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CustomerFilterForm(
            request.GET,
            owners=selectors.owner_filter_options(actor=self.actor),
            tags=selectors.tag_list(),
        )
        page = masker_for(self.actor).page(self._page(form))  # search results and lists
        filters = form.filters()
        view = self._view(request)
        columns = view.columns if view is not None else listviews.list_columns(actor=self.actor)
        response = self.render(
            {
                "form": form,
                "page": page,
                "next_query": form.query(page.next_cursor) if page.next_cursor else "",
                "first_query": form.query(),
                "count": selectors.customer_count(actor=self.actor, filters=filters),
                "count_cap": selectors.COUNT_CAP,
                "columns": columns,
                "column_choices": [
                    (c, listviews.COLUMN_LABELS[c], c in columns) for c in listviews.COLUMNS
                ],
                "sort_links": {name: form.sort_link(name) for name in selectors.SORTS},
                "current_view": view,
                "presets": [(p.name, urlencode(dict(p.params))) for p in listviews.PRESETS],
                **self._views(request),
                "bulk_owners": form.fields["owner"].choices[1:],  # type: ignore[attr-defined]
                "grades": Grade.choices,
                # a transfer needs someone else to hand customers to (a rep has only themselves)
                "may_transfer": has_action(self.actor, ASSIGN_CUSTOMER)
                and form.owner_choice_count > 1,
                "may_change": has_action(self.actor, CHANGE_CUSTOMER),
            }
        )
        if is_partial(request):  # the address bar shows the tidy, bookmarkable query
            query = form.query(form.value("cursor"))
            push_url(response, f"{request.path}?{query}" if query else request.path)
        return response

    def _views(self, request: HttpRequest) -> dict[str, list[SavedView]]:
        """The user's views and those shared with them, for the 视图 menu (in one query; not
        for an htmx request, which replaces the results only)."""
        if is_partial(request):
            return {}
        views = list(listviews.visible_views(actor=self.actor))
        return {
            "own_views": [v for v in views if v.owner_id == self.actor.pk],
            "shared_views": [v for v in views if v.owner_id != self.actor.pk],
        }

    def _view(self, request: HttpRequest) -> SavedView | None:
        """The saved view named by ``?view=`` (its columns), if the user may read it."""
        raw = request.GET.get("view", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            return None
        try:
            return listviews.view_get(actor=self.actor, view_id=int(raw))
        except NotFound:
            return None

    def _page(self, form: CustomerFilterForm) -> Page[Customer]:
        try:
            return services.customer_browse(
                actor=self.actor, filters=form.filters(), cursor=form.value("cursor")
            )
        except Invalid:  # a mangled cursor in a bookmark: start from the first page
            return services.customer_browse(actor=self.actor, filters=form.filters())


class CustomerDetailView(CrmView):
    action = VIEW_CUSTOMER
    template_name = "web/customers/detail.html"

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = services.customer_open(actor=self.actor, customer_id=customer_id)
        context = detail_context(customer, actor=self.actor, contact_form=ContactForm())
        context.update(workday_context(customer, actor=self.actor))
        context.update(referral_panel(customer, actor=self.actor))
        context.update(share_context(customer, actor=self.actor))
        context["customer"] = masker_for(self.actor).show(customer)  # what the page shows
        return self.render(context)


def detail_context(customer: Customer, *, actor: User, contact_form: ContactForm) -> dict[str, Any]:
    """The customer as ``actor`` may see it (crm.governance.masking): fields above their
    confidentiality level masked, with a reveal button where they may reveal one."""
    events = selectors.customer_history(customer=customer)[:HISTORY_LIMIT]
    masker = masker_for(actor)
    shown = masker.show(customer)
    contacts = selectors.customer_contacts(customer=customer)
    return {
        "customer": shown,
        "sections": customer_fields(shown),
        "contacts": masker.contacts(customer, contacts),
        "history": history_entries(events, masker=masker, customer=customer),
        "contact_form": contact_form,
        "can_reveal": bool(masked_fields(shown)) and allows(actor, REVEAL_FIELD, customer),
    }


class CustomerCreateView(CrmView):
    action = ADD_CUSTOMER
    template_name = "web/customers/form.html"

    def _form(self, data: Any = None) -> CustomerForm:
        return CustomerForm(
            data,
            owners=selectors.assignable_owners(actor=self.actor),
            initial={"owner": self.actor.pk},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render({"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            try:
                customer = services.customer_create(actor=self.actor, data=form.service_data())
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已创建客户 %(number)s") % {"number": customer.number})
                return redirect(_detail_url(customer.pk))
        return self.render({"form": form}, status=form_error_status(form))


class CustomerEditView(CrmView):
    action = CHANGE_CUSTOMER
    template_name = "web/customers/form.html"

    def _form(self, customer: Customer, data: Any = None) -> CustomerEditForm:
        initial = {**CustomerForm.initial_for(customer), "version": customer.version}
        form = CustomerEditForm(
            data,
            customer=customer,
            owners=selectors.assignable_owners(actor=self.actor),
            direct=services.direct_master_edit(self.actor, customer),
            initial=initial,
        )
        # a field above the editor's confidentiality level (密级) shows masked and stays as it is
        shown = masker_for(self.actor).show(customer)
        for name in masked_fields(shown) & set(form.fields):
            old = form.fields[name]
            form.fields[name] = forms.CharField(
                label=old.label, required=False, disabled=True, initial=getattr(shown, name)
            )
            form.initial[name] = getattr(shown, name)
        return form

    def _masked(self, customer: Customer) -> frozenset[str]:
        return masked_fields(masker_for(self.actor).show(customer))

    def _customer(self, customer_id: int) -> Customer:
        return selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=CHANGE_CUSTOMER
        )

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(customer_id)
        return self.render(self._context(customer, self._form(customer)))

    def _context(self, customer: Customer, form: CustomerEditForm, **extra: Any) -> dict[str, Any]:
        pending = services.pending_changes(customer)
        return {"form": form, "customer": customer, "pending_changes": pending, **extra}

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(customer_id)
        form = self._form(customer, request.POST)
        conflict = False
        if form.is_valid():
            try:
                _saved, pending = services.customer_edit(
                    actor=self.actor,
                    customer_id=customer_id,
                    version=form.cleaned_data["version"],
                    data={
                        k: v
                        for k, v in form.service_data().items()
                        if k not in self._masked(customer)
                    },
                    reason=form.cleaned_data.get("change_reason", ""),
                )
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
                conflict = isinstance(exc, Conflict)
            else:
                if pending is not None:
                    messages.info(
                        request,
                        _("已提交变更申请，数据管理部门批准后生效：%(fields)s")
                        % {"fields": change_labels(pending.payload["changes"])},
                    )
                else:
                    messages.success(request, _("已保存修改"))
                return redirect(_detail_url(customer_id))
        context = self._context(customer, form, conflict=conflict)
        return self.render(context, status=form_error_status(form))


class CustomerDeleteView(CrmView):
    """A confirmation page, then the soft delete (the record goes to the recycle bin)."""

    action = DELETE_CUSTOMER
    template_name = "web/customers/confirm_delete.html"

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=DELETE_CUSTOMER
        )
        return self.render({"customer": customer})

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        version = request.POST.get("version", "")
        if version and not (version.isascii() and version.isdigit() and len(version) <= 18):
            return bad_request(request, _("版本号无效，请刷新页面后重试"))
        try:
            customer = services.customer_delete(
                actor=self.actor, customer_id=customer_id, version=int(version) if version else None
            )
        except (Conflict, Duplicate) as exc:
            messages.error(request, str(exc.message))
            return redirect(_detail_url(customer_id))
        messages.success(request, _("客户 %(number)s 已移入回收站") % {"number": customer.number})
        return redirect("web:customer_list")


class ContactCreateView(CrmView):
    """Add a contact person. From the detail page through htmx it answers the contacts and
    history fragments; without htmx it redirects (or shows the form again with its errors)."""

    action = CHANGE_CUSTOMER
    template_name = "web/customers/contact_form.html"

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=CHANGE_CUSTOMER
        )
        return self.render({"customer": customer, "contact_form": ContactForm()})

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.contact_create(
                    actor=self.actor, customer_id=customer_id, data=form.cleaned_data
                )
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
            else:
                if not is_partial(request):
                    messages.success(request, _("已添加联系人"))
                    return redirect(_detail_url(customer_id) + "#contacts")
                form = ContactForm()
        customer = selectors.customer_get(actor=self.actor, customer_id=customer_id)
        status = form_error_status(form)
        if is_partial(request):
            context = detail_context(customer, actor=self.actor, contact_form=form)
            return self.render(context, status=status, template=CONTACTS_FRAGMENT)
        return self.render({"customer": customer, "contact_form": form}, status=status)


class ContactEditView(CrmView):
    """Edit a contact person; the edit carries the contact's version (a stale one is shown as a
    conflict with what was typed kept)."""

    action = CHANGE_CUSTOMER
    template_name = "web/customers/contact_form.html"

    def _objects(self, customer_id: int, contact_id: int) -> tuple[Customer, Contact]:
        customer = selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=CHANGE_CUSTOMER
        )
        return customer, selectors.contact_get(customer=customer, contact_id=contact_id)

    def get(self, request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
        customer, contact = self._objects(customer_id, contact_id)
        form = ContactEditForm(initial=ContactForm.initial_for(contact))
        return self.render({"customer": customer, "contact": contact, "contact_form": form})

    def post(self, request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
        customer, contact = self._objects(customer_id, contact_id)
        form = ContactEditForm(request.POST)
        conflict = False
        if form.is_valid():
            try:
                services.contact_update(
                    actor=self.actor,
                    customer_id=customer_id,
                    contact_id=contact_id,
                    data=form.service_data(),
                    version=form.cleaned_data["version"],
                )
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
                conflict = isinstance(exc, Conflict)
            else:
                messages.success(request, _("已保存联系人"))
                return redirect(_detail_url(customer_id) + "#contacts")
        context = {
            "customer": customer,
            "contact": contact,
            "contact_form": form,
            "conflict": conflict,
        }
        return self.render(context, status=form_error_status(form))


class ContactDeleteView(CrmView):
    """Remove a contact person (the customer's history keeps what it was)."""

    action = CHANGE_CUSTOMER

    def post(self, request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
        version = request.POST.get("version", "")
        try:
            services.contact_delete(
                actor=self.actor,
                customer_id=customer_id,
                contact_id=contact_id,
                version=int(version) if version.isascii() and version.isdigit() else None,
            )
        except Conflict:
            messages.error(request, _("该联系人已被他人修改，请查看最新内容后再删除"))
        else:
            messages.success(request, _("已删除联系人"))
        return redirect(_detail_url(customer_id) + "#contacts")


class CustomerTrashView(CrmView):
    """The recycle bin (回收站): deleted customers, for the data administrator."""

    action = VIEW_DELETED_CUSTOMER
    template_name = "web/customers/trash.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        cursor = request.GET.get("cursor") or None
        filters = selectors.CustomerFilters(deleted=True)
        try:
            page = services.customer_browse(actor=self.actor, filters=filters, cursor=cursor)
        except Invalid:
            page = services.customer_browse(actor=self.actor, filters=filters)
        return self.render({"page": masker_for(self.actor).page(page), "cursor": cursor})


class CustomerRestoreView(CrmView):
    action = RESTORE_CUSTOMER

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        try:
            customer = services.customer_restore(actor=self.actor, customer_id=customer_id)
        except (Conflict, Duplicate) as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已恢复客户 %(number)s") % {"number": customer.number})
        return redirect("web:customer_trash")
