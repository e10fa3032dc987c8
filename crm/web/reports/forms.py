"""The reports' filters, read from the query string so that a report can be bookmarked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department
from crm.core.inputs import MAX_YEAR, MIN_YEAR
from crm.web.inputs import in_year_range

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ReportFilterForm(forms.Form):
    """The department filter shared by the three reports (only for those who see several)."""

    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("部门"),
        empty_label=_("全部部门"),
    )

    def __init__(self, data: QueryDict, *, departments: Any) -> None:
        super().__init__(data)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    @property
    def shows_departments(self) -> bool:
        return bool(self.fields["department"].queryset.count() > 1)  # type: ignore[attr-defined]

    @property
    def department_id(self) -> int | None:
        department = self.cleaned_data.get("department")
        return department.pk if department is not None else None

    def query(self) -> str:
        """The query string of the valid filters, for the export link."""
        params = QueryDict(mutable=True)
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, Department):
                value = value.pk
            elif isinstance(value, dt.date):
                value = value.isoformat() if name == "date" else f"{value:%Y-%m}"
            params[name] = str(value)
        return params.urlencode()


class DayFilterForm(ReportFilterForm):
    date = forms.DateField(
        required=False,
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[in_year_range],
    )


class MonthFilterForm(ReportFilterForm):
    month = forms.CharField(
        required=False,
        label=_("月份"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def clean_month(self) -> dt.date | None:
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        match = MONTH.match(value)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM"))
        year, month = int(match.group(1)), int(match.group(2))
        if not MIN_YEAR <= year <= MAX_YEAR:  # year 0 is no date at all
            in_year_range(dt.date(MIN_YEAR - 1, 1, 1))
        return dt.date(year, month, 1)
