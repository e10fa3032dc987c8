"""The service pages' forms: each field from the declared inputs (crm.service.inputs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.service.inputs import (
    AcceptInput,
    CalendarDayInput,
    CloseInput,
    CollaboratorInput,
    NoteInput,
    PublicComplaintInput,
    ReopenInput,
    ResolveInput,
    ServiceComplaintInput,
    ServiceRecordInput,
    SlaInput,
)
from crm.web.inputs import form_field


def _data(form: forms.Form) -> dict[str, Any]:
    """The cleaned data as the service takes it: blanks left out (the input's defaults)."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


class ComplaintForm(forms.Form):
    complainant = form_field(ServiceComplaintInput, "complainant", label=_("投诉人"))
    phone = form_field(ServiceComplaintInput, "phone", label=_("联系电话"))
    customer = form_field(ServiceComplaintInput, "customer", label=_("客户 ID（已登记客户）"))
    channel = form_field(ServiceComplaintInput, "channel", label=_("投诉渠道"))
    category = form_field(ServiceComplaintInput, "category", label=_("投诉类别"))
    severity = form_field(ServiceComplaintInput, "severity", label=_("严重程度"), initial="normal")
    product = form_field(ServiceComplaintInput, "product", label=_("产品"))
    order_number = form_field(ServiceComplaintInput, "order_number", label=_("订单号"))
    description = form_field(ServiceComplaintInput, "description", label=_("投诉内容"))
    request = form_field(ServiceComplaintInput, "request", label=_("客户要求"))
    service_data = property(_data)


class AcceptForm(forms.Form):
    handler = forms.TypedChoiceField(
        label=_("处理人"), coerce=int, required=False, empty_value=None
    )
    note = form_field(AcceptInput, "note", label=_("受理说明"))
    service_data = property(_data)

    def __init__(self, *args: Any, handlers: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", _("我自己")), *handlers]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = form_field(NoteInput, "text", label=_("处理情况"))
    service_data = property(_data)


class CollaboratorForm(forms.Form):
    user = forms.TypedChoiceField(label=_("协助人"), coerce=int)
    task = form_field(CollaboratorInput, "task", label=_("协助事项"))
    service_data = property(_data)

    def __init__(self, *args: Any, users: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = users  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    resolution = form_field(ResolveInput, "resolution", label=_("处理结果"))
    department = forms.TypedChoiceField(
        label=_("责任部门"), coerce=int, required=False, empty_value=None
    )
    service_data = property(_data)

    def __init__(self, *args: Any, departments: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *departments]  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    satisfaction = form_field(CloseInput, "satisfaction", label=_("客户满意度（1–5）"))
    customer_feedback = form_field(CloseInput, "customer_feedback", label=_("客户意见"))
    service_data = property(_data)


class ReopenForm(forms.Form):
    reason = form_field(ReopenInput, "reason", label=_("重新处理的原因"))
    service_data = property(_data)


class SlaForm(forms.Form):
    response_hours = form_field(SlaInput, "response_hours", label=_("响应时限（工作小时）"))
    resolve_hours = form_field(SlaInput, "resolve_hours", label=_("解决时限（工作小时）"))
    gm_after_hours = form_field(SlaInput, "gm_after_hours", label=_("逾期多少工作小时后报总经理"))
    service_data = property(_data)


class CalendarDayForm(forms.Form):
    day = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = form_field(CalendarDayInput, "kind", label=_("类型"))
    name = form_field(CalendarDayInput, "name", label=_("名称"))


class ServiceRecordForm(forms.Form):
    served_on = form_field(ServiceRecordInput, "served_on", label=_("服务日期"))
    content = form_field(ServiceRecordInput, "content", label=_("服务内容"))
    satisfaction = form_field(ServiceRecordInput, "satisfaction", label=_("客户满意度（1–5）"))
    comment = form_field(ServiceRecordInput, "comment", label=_("客户评价"))
    product = form_field(ServiceRecordInput, "product", label=_("产品"))
    order_number = form_field(ServiceRecordInput, "order_number", label=_("订单号"))
    service_data = property(_data)


class PublicComplaintForm(forms.Form):
    complainant = form_field(PublicComplaintInput, "complainant", label=_("您的姓名"))
    phone = form_field(PublicComplaintInput, "phone", label=_("联系电话"))
    category = form_field(PublicComplaintInput, "category", label=_("投诉类别"))
    product = form_field(PublicComplaintInput, "product", label=_("产品"))
    order_number = form_field(PublicComplaintInput, "order_number", label=_("订单号"))
    description = form_field(PublicComplaintInput, "description", label=_("投诉内容"))
    # the guard (crm.service.guard): a signed timestamp, and a field people never see
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    website = forms.CharField(
        label=_("网站（请留空）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def data_for_service(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("started", "website") and v not in (None, "")
        }


class LookupForm(forms.Form):
    number = forms.CharField(label=_("投诉编号"), max_length=12)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
