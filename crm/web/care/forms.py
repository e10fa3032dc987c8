"""The forms of the survey and care pages (fields from crm.care.inputs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.care.inputs import (
    SAMPLE_MAX,
    SEED_MAX,
    ActionDoneInput,
    ActionInput,
    CampaignInput,
    TargetInput,
)
from crm.care.models import CampaignKind, TargetState
from crm.customers.choices import Category, Grade
from crm.web.inputs import form_field


class DrawForm(forms.Form):
    month = forms.RegexField(
        label=_("月份"),
        regex=r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("请选择月份")},
    )
    size = forms.IntegerField(
        label=_("抽查户数"), required=False, min_value=1, max_value=SAMPLE_MAX
    )
    share = forms.IntegerField(
        label=_("或抽查比例（%）"), required=False, min_value=1, max_value=100
    )
    seed = forms.IntegerField(
        label=_("随机种子（空：随机生成；填同一种子可重现抽样）"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
    )
    alert_below = forms.DecimalField(
        label=_("平均分低于此值视为发现问题"),
        required=False,
        min_value=1,
        max_value=5,
        decimal_places=1,
        initial="3.5",
    )

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "alert_below" in data:
            data["alert_below"] = float(data["alert_below"])
        return data


class ActionForm(forms.Form):
    problem = form_field(ActionInput, "problem", label=_("问题"))
    responsible = forms.TypedChoiceField(label=_("责任人"), coerce=int)
    due_on = form_field(ActionInput, "due_on", label=_("整改期限"))

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = people  # type: ignore[attr-defined]


class ActionDoneForm(forms.Form):
    result = form_field(
        ActionDoneInput, "result", label=_("整改结果"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionCloseForm(forms.Form):
    note = forms.CharField(label=_("核实意见"), max_length=500, required=False)


class BirthdayForm(forms.Form):
    contact = forms.TypedChoiceField(
        label=_("谁的生日"), coerce=int, required=False, empty_value=None
    )
    month = forms.IntegerField(label=_("月"), min_value=1, max_value=12)
    day = forms.IntegerField(label=_("日"), min_value=1, max_value=31)
    year = forms.IntegerField(label=_("出生年份（可不填）"), required=False, min_value=1900)

    def __init__(self, *args: Any, contacts: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = contacts  # type: ignore[attr-defined]


class CampaignForm(forms.Form):
    title = form_field(CampaignInput, "title", label=_("活动名称"))
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignKind.choices)
    description = form_field(CampaignInput, "description", label=_("内容"))
    view = forms.TypedChoiceField(
        label=_("客户范围：已保存的视图"), coerce=int, required=False, empty_value=None
    )
    category = forms.ChoiceField(
        label=_("或按客户类别"), choices=[("", "—"), *Category.choices], required=False
    )
    grade = forms.ChoiceField(
        label=_("意向级别"), choices=[("", "—"), *Grade.choices], required=False
    )
    tag = forms.CharField(label=_("标签"), max_length=30, required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)

    def __init__(self, *args: Any, views: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["view"].choices = [("", "—"), *views]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "view": data["view"],
            "filter": {k: data[k] for k in ("category", "grade", "tag", "q") if data.get(k)},
        }


class TargetForm(forms.Form):
    state = forms.ChoiceField(label=_("回应"), choices=TargetState.choices)
    note = form_field(TargetInput, "note", label=_("备注"))
