"""The knowledge base's forms (fields from crm.knowledge.inputs)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.knowledge.inputs import ArticleCategoryInput, ArticleInput
from crm.web.inputs import form_field


class ArticleForm(forms.Form):
    title = form_field(ArticleInput, "title", label=_("客户问题"))
    answer = form_field(
        ArticleInput, "answer", label=_("解答"), widget=forms.Textarea(attrs={"rows": 8})
    )
    category = forms.TypedChoiceField(label=_("分类"), coerce=int, required=False, empty_value=None)
    tags = forms.CharField(label=_("标签（逗号或空格分隔）"), max_length=400, required=False)
    archived = forms.BooleanField(label=_("停用（不再出现在搜索中）"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["tags"] = [t for t in re.split(r"[\s,，、]+", data.get("tags") or "") if t]
        return data


class CategoryForm(forms.Form):
    name = form_field(ArticleCategoryInput, "name", label=_("分类名称"))
    position = forms.IntegerField(label=_("顺序"), min_value=0, max_value=1000, initial=0)
