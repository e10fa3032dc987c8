"""The knowledge base's pages (知识管理): search, one article (counted), the managers' editor
and categories. Thin: the rules are crm.knowledge's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import MANAGE_KNOWLEDGE, VIEW_KNOWLEDGE
from crm.core.errors import Conflict, Duplicate, Invalid
from crm.core.permissions import has_action
from crm.knowledge import selectors, services
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import ArticleForm, CategoryForm


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


class KnowledgeListView(CrmView):
    """Search the answers: every word in the title, the answer or a tag; the most read first."""

    action = VIEW_KNOWLEDGE
    template_name = "web/knowledge/list.html"
    partial_name = "results"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:100].replace("\x00", "")
        tag = request.GET.get("tag", "")[:30].replace("\x00", "")
        category = _int(request.GET.get("category"))
        archived = request.GET.get("archived") == "1"
        return self.render(
            {
                "articles": selectors.article_search(
                    actor=self.actor, q=q, category=category, tag=tag, archived=archived
                ),
                "categories": selectors.category_list(actor=self.actor),
                "q": q,
                "tag": tag,
                "category": category,
                "archived": archived,
                "may_edit": has_action(self.actor, MANAGE_KNOWLEDGE),
            }
        )


class KnowledgeDetailView(CrmView):
    action = VIEW_KNOWLEDGE
    template_name = "web/knowledge/detail.html"

    def get(self, request: HttpRequest, article_id: int) -> HttpResponse:
        article = services.article_read(actor=self.actor, article_id=article_id)
        return self.render({"a": article, "may_edit": has_action(self.actor, MANAGE_KNOWLEDGE)})


class KnowledgeEditView(CrmView):
    """New article (no id) or an edit; a stale version is shown as a conflict on the form."""

    action = MANAGE_KNOWLEDGE
    template_name = "web/knowledge/edit.html"

    def form(self, data: Any = None, initial: dict[str, Any] | None = None) -> ArticleForm:
        categories = [(c.pk, c.name) for c in selectors.category_list(actor=self.actor)]
        return ArticleForm(data, categories=categories, initial=initial)

    def page(self, form: ArticleForm, article: Any = None) -> HttpResponse:
        return self.render({"form": form, "a": article}, status=form_error_status(form))

    def get(self, request: HttpRequest, article_id: int | None = None) -> HttpResponse:
        if article_id is None:
            return self.page(self.form())
        a = selectors.article_get(actor=self.actor, article_id=article_id)
        initial = {
            "title": a.title,
            "answer": a.answer,
            "category": a.category_id,
            "tags": " ".join(a.tags),
            "archived": a.archived,
            "version": a.version,
        }
        return self.page(self.form(initial=initial), a)

    def post(self, request: HttpRequest, article_id: int | None = None) -> HttpResponseBase:
        article = (
            selectors.article_get(actor=self.actor, article_id=article_id) if article_id else None
        )
        form = self.form(request.POST)
        if form.is_valid():
            try:
                if article is None:
                    saved = services.article_create(actor=self.actor, data=form.service_data())
                else:
                    saved = services.article_update(
                        actor=self.actor,
                        article_id=article.pk,
                        data=form.service_data(),
                        version=form.cleaned_data.get("version"),
                    )
            except (Invalid, Conflict) as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存 %(number)s") % {"number": saved.number})
                return redirect("web:knowledge_detail", saved.pk)
        return self.page(form, article)


class KnowledgeCategoriesView(CrmView):
    action = MANAGE_KNOWLEDGE
    template_name = "web/knowledge/categories.html"

    def page(self, form: CategoryForm | None = None) -> HttpResponse:
        form = form or CategoryForm()
        return self.render(
            {"categories": selectors.category_list(actor=self.actor), "form": form},
            status=form_error_status(form),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_create(actor=self.actor, data=form.cleaned_data)
            except (Invalid, Duplicate) as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已添加分类"))
                return redirect("web:knowledge_categories")
        return self.page(form)
