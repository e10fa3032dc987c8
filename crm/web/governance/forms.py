"""The audit viewer's filters, read from the query string (bookmarkable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.governance.selectors import AuditFilters

ID_MAX = 2**63 - 1


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("操作人"))
    customer = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        label=_("客户 ID"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("客户 ID")}),
    )
    verb = forms.ChoiceField(required=False, label=_("动作"))
    since = forms.DateField(
        required=False,
        label=_("起始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        required=False,
        label=_("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cursor = forms.CharField(required=False, max_length=200)

    FILTERS = ("actor", "customer", "verb", "since", "until")

    def __init__(
        self, data: QueryDict, *, users: Iterable[User], verbs: Iterable[tuple[str, str]]
    ) -> None:
        super().__init__(data)
        actors = [(u.pk, f"{u.display_name}（{u.username}）") for u in users]
        self.fields["actor"].choices = [("", _("全部人员")), *actors]  # type: ignore[attr-defined]
        self.fields["verb"].choices = [("", _("全部动作")), *verbs]  # type: ignore[attr-defined]
        self.is_valid()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("结束日期不能早于起始日期"))
        return data

    def value(self, name: str) -> Any:
        """The cleaned value, or empty when that parameter was missing or invalid."""
        return self.cleaned_data.get(name) or None

    def filters(self) -> AuditFilters:
        return AuditFilters(
            actor=self.value("actor"),
            customer=self.value("customer"),
            verb=self.value("verb") or "",
            since=self.value("since"),
            until=self.value("until"),
        )

    def query(self, cursor: str | None = None) -> str:
        params = QueryDict(mutable=True)
        for name in self.FILTERS:
            value = self.value(name)
            if value not in (None, ""):
                params[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        if cursor:
            params["cursor"] = cursor
        return params.urlencode()
