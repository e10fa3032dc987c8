"""The retrieval request's form (客户数据调用申请表): the declared input's fields
(crm.retrieval.inputs) with the field catalogue as checkboxes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.retrieval.fields import DEFAULT, FIELDS
from crm.retrieval.inputs import DataRequestInput, ListFilter
from crm.retrieval.lists import ListExport
from crm.retrieval.models import FileFormat
from crm.web.inputs import form_field


class DataRequestForm(forms.Form):
    purpose = form_field(
        DataRequestInput, "purpose", label=_("调用用途"), widget=forms.Textarea(attrs={"rows": 3})
    )
    recipient = form_field(DataRequestInput, "recipient", label=_("接收方（单位、人员）"))
    columns = forms.MultipleChoiceField(
        label=_("导出字段"), widget=forms.CheckboxSelectMultiple, initial=list(DEFAULT)
    )
    file_format = forms.ChoiceField(
        label=_("文件格式"),
        choices=FileFormat.choices,
        initial=FileFormat.XLSX,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, masked: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hidden = set(masked)
        self.fields["columns"].choices = [  # type: ignore[attr-defined]
            (
                f.code,
                _("%(label)s（对您遮挡）") % {"label": f.label} if f.code in hidden else f.label,
            )
            for f in FIELDS
        ]

    def service_data(self, list_filter: dict[str, Any]) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["fields"] = data.pop("columns")
        return {**data, "filter": list_filter}


_TEXT = ("q", "category", "grade", "tag", "follow", "created")


def list_filter(query: QueryDict) -> dict[str, Any]:
    """The customer list's filter from its query string (what the list page shows), as the
    declared input's ``filter``; values the input refuses are reported by the service."""
    out: dict[str, Any] = {}
    for key in _TEXT:
        value = query.get(key, "")
        if value:
            out[key] = value
    owner = query.get("owner", "")
    if owner.isascii() and owner.isdigit():
        out["owner"] = int(owner)
    for key in ("mine", "shared"):
        if query.get(key) in ("1", "on", "true"):
            out[key] = True
    return {k: v for k, v in out.items() if k in ListFilter.model_fields}


class ListExportForm(forms.Form):
    """The export of a list's rows: why, for whom, which of the list's fields, which file."""

    purpose = form_field(
        DataRequestInput, "purpose", label=_("用途"), widget=forms.Textarea(attrs={"rows": 2})
    )
    recipient = form_field(DataRequestInput, "recipient", label=_("接收方（单位、人员）"))
    columns = forms.MultipleChoiceField(label=_("导出字段"), widget=forms.CheckboxSelectMultiple)
    file_format = forms.ChoiceField(
        label=_("文件格式"),
        choices=FileFormat.choices,
        initial=FileFormat.XLSX,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, spec: ListExport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = self.fields["columns"]
        columns.choices = [(f.code, f.label) for f in spec.fields]  # type: ignore[attr-defined]
        columns.initial = list(spec.default)

    def service_data(self, target: str, list_filter: dict[str, Any]) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["fields"] = data.pop("columns")
        return {**data, "target": target, "filter": list_filter}


def list_query_filter(spec: ListExport, query: QueryDict) -> dict[str, Any]:
    """A list page's filter from its query string, typed as the list's declared filter reads
    it (ids as numbers, ticks as true); what it refuses is reported by the service."""
    out: dict[str, Any] = {}
    for key, info in spec.filter_input.model_fields.items():
        if key not in query:
            continue
        value = query.get(key, "").strip()
        if info.annotation is str:  # blank is a choice too (the opportunity list's 全部状态)
            out[key] = value
        elif not value:
            continue
        elif info.annotation is bool:
            if value in ("1", "on", "true"):
                out[key] = True
        elif "int" in str(info.annotation):
            out[key] = (
                int(value) if value.isascii() and value.isdigit() and len(value) < 19 else value
            )
        else:
            out[key] = value
    return out
