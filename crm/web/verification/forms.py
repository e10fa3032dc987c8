"""The verification's forms: a new round (the declared input, crm.verification.inputs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department
from crm.customers.choices import Category
from crm.verification.inputs import RoundInput
from crm.web.inputs import form_field


class RoundForm(forms.Form):
    title = form_field(RoundInput, "title", label=_("名称"))
    deadline = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    department = forms.TypedChoiceField(
        label=_("部门（含下级部门）"), required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(
        label=_("客户类别"), required=False, choices=[("", _("全部")), *Category.choices]
    )
    unverified_only = forms.BooleanField(
        label=_("只核查本季度尚未核查过的客户"), required=False, initial=True
    )

    def __init__(self, *args: Any, departments: Iterable[Department] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部"))] + [  # type: ignore[attr-defined]
            (d.pk, d.name) for d in departments
        ]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
