"""The reception desk's forms: fields from the declared inputs (crm.reception.inputs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.customers import sources
from crm.reception.choices import Channel, ComplaintKind, Finding, Penalty
from crm.reception.inputs import ComplaintDecisionInput, ComplaintInput, LookupInput, VisitInput
from crm.web.inputs import form_field


def _people(users: Any) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(u.pk), u.display_name) for u in users]


class LookupForm(forms.Form):
    query = form_field(
        LookupInput,
        "query",
        label=_("来电号码或客户编号"),
        attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True},
    )


class VisitForm(forms.Form):
    """来店/来电客户登记表: a few taps at the desk."""

    channel = forms.ChoiceField(
        label=_("方式"), choices=Channel.choices, initial=Channel.VISIT, widget=forms.RadioSelect
    )
    name = form_field(VisitInput, "name", label=_("客户姓名"))
    phone = form_field(VisitInput, "phone", label=_("电话"))
    party_size = form_field(VisitInput, "party_size", label=_("来访人数"), initial=1)
    interest = form_field(VisitInput, "interest", label=_("意向"))
    source = forms.ChoiceField(label=_("认知途径"), required=False)
    named_rep = forms.ChoiceField(label=_("客户指定的销售顾问"), required=False)
    referral_card = form_field(VisitInput, "referral_card", label=_("老带新卡号"))
    referrer = form_field(VisitInput, "referrer", label=_("陪同的老客户编号"))
    notes = form_field(VisitInput, "notes", label=_("备注"))
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, reps: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (s.code, sources.label(s)) for s in sources.active_sources()
        ]
        self.fields["named_rep"].choices = _people(reps)  # type: ignore[attr-defined]
        self.fields["named_rep"].help_text = _("仅首次来访的客户进门即指定时选择；认识不等于指定")

    def data_for_service(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        for key in ("named_rep", "customer"):
            if key in data:
                data[key] = int(data[key])
        return data


class RotationForm(forms.Form):
    """The rotation's order: a place number for each rep in it, blank for those out of it."""

    def __init__(self, *args: Any, candidates: list[User], seated: dict[int, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for user in candidates:
            self.fields[f"u{user.pk}"] = forms.IntegerField(
                label=user.display_name,
                required=False,
                min_value=1,
                max_value=100,
                initial=seated.get(user.pk),
                widget=forms.NumberInput(attrs={"class": "input-short"}),
            )

    def users(self) -> list[int]:
        placed = [
            (self.cleaned_data[f"u{u.pk}"], i, u.pk)
            for i, u in enumerate(self.candidates)
            if self.cleaned_data.get(f"u{u.pk}") is not None
        ]
        return [pk for _place, _i, pk in sorted(placed)]


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ComplaintKind.choices)
    accused = forms.ChoiceField(label=_("被投诉的销售顾问"))
    occurred_on = form_field(ComplaintInput, "occurred_on", label=_("发生日期"))
    description = form_field(ComplaintInput, "description", label=_("经过"))

    def __init__(self, *args: Any, reps: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accused"].choices = _people(reps)  # type: ignore[attr-defined]

    def data_for_service(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "accused" in data:
            data["accused"] = int(data["accused"])
        return data


class DecisionForm(forms.Form):
    state = forms.ChoiceField(label=_("查处结论"), choices=Finding.choices)
    finding = form_field(ComplaintDecisionInput, "finding", label=_("查处意见"))
    penalty = forms.ChoiceField(
        label=_("处罚"), choices=[("", "—"), *Penalty.choices], required=False
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
