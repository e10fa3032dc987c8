"""The catalogue's pages (产品目录): the list everyone reads, the managers' forms. Thin: the
rules are crm.products'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import MANAGE_PRODUCT, VIEW_PRODUCT
from crm.core.errors import DomainError
from crm.core.permissions import has_action
from crm.products import selectors, services
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import CategoryForm, ProductForm


class ProductListView(CrmView):
    """产品目录: search by code, name or specification; the category; on sale or not."""

    action = VIEW_PRODUCT
    template_name = "web/products/list.html"
    partial_name = "rows"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:100].strip()
        category = request.GET.get("category", "")
        category_id = int(category) if category.isdigit() and len(category) < 18 else None
        show = request.GET.get("active", "1")
        active = {"1": True, "0": False}.get(show)
        return self.render(
            {
                "products": selectors.product_list(
                    actor=self.actor, q=q, category=category_id, active=active
                ),
                "categories": selectors.category_list(actor=self.actor),
                "q": q,
                "category": category_id,
                "active": show,
                "may_manage": has_action(self.actor, MANAGE_PRODUCT),
            }
        )


class ProductNewView(CrmView):
    action = MANAGE_PRODUCT
    template_name = "web/products/form.html"

    def form(self, data: Any = None, initial: Any = None) -> ProductForm:
        return ProductForm(
            data, initial=initial, categories=selectors.category_list(actor=self.actor)
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render({"form": self.form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                product = services.product_create(actor=self.actor, data=form.service_data())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已添加产品 %(code)s") % {"code": product.code})
                return redirect("web:product_list")
        return self.render({"form": form}, status=form_error_status(form))


class ProductEditView(ProductNewView):
    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:  # type: ignore[override]
        product = selectors.product_get(actor=self.actor, product_id=product_id)
        form = self.form(initial=ProductForm.initial_of(product))
        return self.render({"form": form, "product": product})

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:  # type: ignore[override]
        product = selectors.product_get(actor=self.actor, product_id=product_id)
        form = self.form(request.POST)
        if form.is_valid():
            version = request.POST.get("version", "")
            try:
                services.product_update(
                    actor=self.actor,
                    product_id=product.pk,
                    version=int(version) if version.isdigit() and len(version) < 10 else 0,
                    data=form.service_data(),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存产品 %(code)s") % {"code": product.code})
                return redirect("web:product_list")
        return self.render({"form": form, "product": product}, status=form_error_status(form))


class CategoryView(CrmView):
    """产品类别: the list and a new one."""

    action = MANAGE_PRODUCT
    template_name = "web/products/categories.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            {"form": CategoryForm(), "categories": selectors.category_list(actor=self.actor)}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_create(
                    actor=self.actor,
                    data={k: v for k, v in form.cleaned_data.items() if v is not None},
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return redirect("web:product_categories")
        return self.render(
            {"form": form, "categories": selectors.category_list(actor=self.actor)},
            status=form_error_status(form),
        )
