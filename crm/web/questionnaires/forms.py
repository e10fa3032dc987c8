"""The builder's forms (fields from crm.questionnaires.inputs) and the filled form's answers
read from a POST (the same ``{question id: value}`` the API takes)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.customers.choices import Category
from crm.questionnaires.inputs import FormInput, QuestionInput, SectionInput
from crm.questionnaires.models import Event, Question, QuestionKind
from crm.web.inputs import form_field

TABLE_BLANK_ROWS = 2  # empty rows under a table's filled ones
TABLE_MIN_ROWS = 4  # 董事长/老板、总经理、车队管理、主要人员


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class FormSettingsForm(forms.Form):
    name = form_field(FormInput, "name", label=_("表单名称"))
    description = form_field(FormInput, "description", label=_("说明"))
    applies_to = forms.MultipleChoiceField(
        label=_("适用客户类别（不选：全部客户）"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    event = forms.ChoiceField(label=_("填写时机"), choices=Event.choices, initial=Event.NONE)


class SectionForm(forms.Form):
    title = form_field(SectionInput, "title", label=_("分组标题"))


class QuestionForm(forms.Form):
    section = forms.TypedChoiceField(
        label=_("所在分组"), coerce=int, required=False, empty_value=None
    )
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    label = form_field(QuestionInput, "label", label=_("题目"))
    help = form_field(QuestionInput, "help", label=_("填写说明"))
    required = forms.BooleanField(label=_("必填"), required=False)
    choices = forms.CharField(
        label=_("选项（每行一个，按顺序）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    max_ranks = forms.IntegerField(
        label=_("排序题最多填几项"), required=False, min_value=1, max_value=10
    )
    columns = forms.CharField(
        label=_("表格的列（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, sections: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = sections  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = _lines(data.get("choices") or "")
        data["columns"] = _lines(data.get("columns") or "")
        return data

    @staticmethod
    def initial_of(q: Question) -> dict[str, Any]:
        return {
            "section": q.section_id,
            "kind": q.kind,
            "label": q.label,
            "help": q.help,
            "required": q.required,
            "choices": "\n".join(q.choices),
            "max_ranks": q.max_ranks,
            "columns": "\n".join(q.columns),
        }


def answers_from_post(questions: list[Question], post: QueryDict) -> dict[str, Any]:
    """The answers of the fill page's fields (``q<id>``, ``q<id>_r<rank>``,
    ``q<id>_<row>_<column>``), as the API takes them."""
    out: dict[str, Any] = {}
    for q in questions:
        name = q.field_name
        if q.kind == QuestionKind.MULTIPLE:
            out[str(q.pk)] = post.getlist(name)
        elif q.kind == QuestionKind.RANKED:
            most = q.max_ranks or len(q.choices)
            out[str(q.pk)] = [post.get(f"{name}_r{n}", "") for n in range(1, most + 1)]
        elif q.kind == QuestionKind.TABLE:
            try:
                count = min(int(post.get(f"{name}_rows", "0")), 60)
            except ValueError:
                count = 0
            out[str(q.pk)] = [
                {c: post.get(f"{name}_{r}_{i}", "") for i, c in enumerate(q.columns)}
                for r in range(count)
            ]
        else:
            out[str(q.pk)] = post.get(name, "")
    return out
