"""The hand-over's forms: starting one (the declared input, crm.handover.inputs) and the
director's signature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.handover.inputs import HandoverInput
from crm.handover.models import HandoverKind, HandoverSplit
from crm.web.inputs import form_field


def _users(users: Iterable[User]) -> list[tuple[int, str]]:
    return [
        (u.pk, f"{u.display_name}（{u.username}{'' if u.is_active else '，已停用'}）")
        for u in users
    ]


class HandoverForm(forms.Form):
    leaver = forms.TypedChoiceField(label=_("交出人"), coerce=int)
    kind = forms.ChoiceField(
        label=_("类型"), choices=HandoverKind.choices, widget=forms.RadioSelect
    )
    receivers = forms.TypedMultipleChoiceField(
        label=_("接收人"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    split = forms.ChoiceField(
        label=_("分配方式"),
        choices=HandoverSplit.choices,
        initial=HandoverSplit.EVEN,
        widget=forms.RadioSelect,
    )
    reason = form_field(
        HandoverInput, "reason", label=_("交接原因"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        leavers: Iterable[User] = (),
        receivers: Iterable[User] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leaver"].choices = [("", "—"), *_users(leavers)]  # type: ignore[attr-defined]
        self.fields["receivers"].choices = _users(receivers)  # type: ignore[attr-defined]


class SignForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, max_length=500)
