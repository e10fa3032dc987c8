"""Forms of the lifecycle: a transition (变更状态) offering only the moves the regulations allow
from the customer's category, the manager's comment on a defeat, and the company's grade table
and follow-up settings. The rules themselves live in ``crm.customers.lifecycle``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.errors import DomainError, Invalid
from crm.customers.choices import Category, Grade
from crm.customers.inputs import (
    CALLBACKS_MAX,
    DefeatCommentInput,
    DefeatInput,
    GradePolicyInput,
    LifecycleSettingsInput,
    TransitionInput,
)
from crm.customers.lifecycle import TRANSITIONS
from crm.customers.models import Customer, DefeatReason, GradePolicy, LifecycleSettings
from crm.web.inputs import form_field

_BLANK: list[tuple[str, str]] = [("", "—")]

# What a move is called, by (from, to).
MOVE_LABELS: dict[tuple[str, str], Any] = {
    (Category.POTENTIAL, Category.INTENTION): _("转为意向客户"),
    (Category.BASE, Category.INTENTION): _("转为意向客户"),
    (Category.INTENTION, Category.INTENTION): _("调整意向级别"),
    (Category.INTENTION, Category.RETAINED): _("成交，转为保有客户"),
    (Category.INTENTION, Category.DEFEATED): pgettext_lazy("move", "战败"),
    (Category.DEFEATED, Category.INTENTION): _("重新激活为意向客户"),
}
_ORDER = [Category.INTENTION, Category.RETAINED, Category.DEFEATED]
# the service's field names → this form's
SERVICE_FIELDS = {"defeat.reason": "defeat_reason", "defeat.tried": "tried"}


def legal_moves(category: str) -> list[tuple[str, str]]:
    """(to, label) of the transitions allowed from ``category``, in the order of a sale."""
    return [
        (to, str(MOVE_LABELS[(category, to)])) for to in _ORDER if (category, to) in TRANSITIONS
    ]


class TransitionForm(forms.Form):
    """A transition (``crm.customers.inputs.TransitionInput``, its defeat analysis
    ``DefeatInput``)."""

    to = forms.ChoiceField(
        label=_("变更为"), widget=forms.RadioSelect(attrs={"data-transition-to": ""})
    )
    expected_purchase_on = form_field(
        TransitionInput,
        "expected_purchase_on",
        label=_("预计购买日期"),
        help_text=_("填写后建议意向级别"),
    )
    deposit_paid = forms.BooleanField(
        label=_("已收定金"), required=False, help_text=_("已收定金的客户为 O 级")
    )
    grade = form_field(TransitionInput, "grade", label=_("意向级别"))
    deposit_amount = form_field(
        TransitionInput,
        "deposit_amount",
        label=_("定金金额（元）"),
        help_text=_("O 级必填"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    deposit_on = form_field(TransitionInput, "deposit_on", label=_("定金日期"))
    deal_on = form_field(TransitionInput, "deal_on", label=_("成交日期"))
    defeat_reason = forms.TypedChoiceField(
        label=_("战败原因"), required=False, coerce=int, empty_value=None
    )
    competitor_brand = form_field(DefeatInput, "competitor_brand", label=_("竞品品牌"))
    competitor_model = form_field(DefeatInput, "competitor_model", label=_("竞品车型/型号"))
    tried = form_field(DefeatInput, "tried", label=_("采取过的挽回措施"))
    reason = form_field(
        TransitionInput, "reason", label=_("原因说明"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, customer: Customer, reasons: Iterable[DefeatReason], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.moves = legal_moves(customer.category)
        self.fields["to"].choices = self.moves  # type: ignore[attr-defined]
        if len(self.moves) == 1:
            self.fields["to"].initial = self.moves[0][0]
        self.fields["defeat_reason"].choices = [  # type: ignore[attr-defined]
            *_BLANK,
            *((str(r.pk), r.name) for r in reasons),
        ]
        self.fields["deal_on"].initial = timezone.localdate()
        # the competitor list as suggestions while typing (crm.customers.competitors)
        self.fields["competitor_brand"].widget.attrs["list"] = "competitor-brands"
        self.fields["competitor_model"].widget.attrs["list"] = "competitor-models"
        self.fields["deposit_on"].initial = timezone.localdate()
        for name in ("grade", "deal_on", "defeat_reason", "tried"):
            self.fields[name].widget.attrs["required"] = True
        suggest = {  # a changed date or deposit asks the server for the suggested grade (htmx)
            "hx-get": reverse("web:grade_suggest", args=[customer.pk]),
            "hx-trigger": "change",
            "hx-target": "#field-grade",
            "hx-swap": "outerHTML",
            "hx-include": "[name=expected_purchase_on],[name=deposit_paid],[name=grade]",
        }
        self.fields["expected_purchase_on"].widget.attrs.update(suggest)
        self.fields["deposit_paid"].widget.attrs.update(suggest)
        if customer.category == Category.DEFEATED:
            self.fields["reason"].label = _("重新激活原因")
            self.fields["reason"].widget.attrs["required"] = True

    def service_data(self) -> dict[str, Any]:
        """The keyword arguments of ``customer_transition`` besides actor, customer and version."""
        data = self.cleaned_data
        to = data["to"]
        kwargs: dict[str, Any] = {"to": to, "reason": data["reason"]}
        if to == Category.INTENTION:
            kwargs["grade"] = data["grade"]
            kwargs["expected_purchase_on"] = data["expected_purchase_on"]
            if data["grade"] == Grade.O:
                kwargs["deposit_amount"] = data["deposit_amount"]
                kwargs["deposit_on"] = data["deposit_on"]
        if to == Category.RETAINED:
            kwargs["deal_on"] = data["deal_on"]
        if to == Category.DEFEATED:
            defeat = {
                "reason": data["defeat_reason"],
                "competitor_brand": data["competitor_brand"],
                "competitor_model": data["competitor_model"],
                "tried": data["tried"],
            }
            kwargs["defeat"] = {k: v for k, v in defeat.items() if v is not None}
        return kwargs

    def apply_error(self, exc: DomainError) -> None:
        """A refusal of the service: each message next to its field, the reason at the top."""
        for field, message in exc.fields.items():
            name = SERVICE_FIELDS.get(field, field)
            self.add_error(name if name in self.fields else None, str(message))
        if not exc.fields or str(exc.message) != str(Invalid.default_message):
            self.add_error(None, str(exc.message))


class DefeatCommentForm(forms.Form):
    manager_comment = form_field(DefeatCommentInput, "comment", label=_("经理意见"))


class GradeTableForm(forms.Form):
    """The grade table, a row per grade: ``H-description``, ``H-cadence_days``…"""

    def __init__(self, *args: Any, policies: Iterable[GradePolicy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grades: list[str] = []
        for p in policies:
            self.grades.append(p.grade)
            row = GradePolicyInput
            self.fields[f"{p.grade}-description"] = form_field(
                row, "description", label=_("说明"), initial=p.description
            )
            self.fields[f"{p.grade}-cadence_days"] = form_field(
                row, "cadence_days", label=_("跟进周期（天）"), initial=p.cadence_days
            )
            self.fields[f"{p.grade}-cadence_days"].required = True
            self.fields[f"{p.grade}-deal_within_days"] = form_field(
                row, "deal_within_days", label=_("预计成交（天内）"), initial=p.deal_within_days
            )

    def rows(self) -> list[dict[str, Any]]:
        """The rows of ``grade_policy_update``."""
        return [
            {
                "grade": g,
                "description": self.cleaned_data[f"{g}-description"],
                "cadence_days": self.cleaned_data[f"{g}-cadence_days"],
                "deal_within_days": self.cleaned_data[f"{g}-deal_within_days"],
            }
            for g in self.grades
        ]

    def table(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(grade, its name, its bound fields) for the template."""
        return [
            (
                g,
                str(Grade(g).label) if g in Grade.values else g,
                [self[f"{g}-{n}"] for n in ("description", "cadence_days", "deal_within_days")],
            )
            for g in self.grades
        ]

    def apply_error(self, exc: DomainError) -> None:
        for field, message in exc.fields.items():
            name = field.replace(".", "-", 1)
            self.add_error(name if name in self.fields else None, str(message))
        if not exc.fields:
            self.add_error(None, str(exc.message))


class FollowUpSettingsForm(forms.Form):
    """The follow-up settings (``crm.customers.inputs.LifecycleSettingsInput``); the callback
    days are typed as one comma-separated list."""

    missed_grace_hours = form_field(
        LifecycleSettingsInput,
        "missed_grace_hours",
        label=_("计划逾期宽限（小时）"),
        help_text=_("跟进计划过了计划时间多少小时仍未完成，即标记为逾期并提醒跟进人"),
    )
    missed_grace_hours.required = True
    callback_days = forms.CharField(
        label=_("成交后回访（第几天）"),
        max_length=CALLBACKS_MAX * 5,
        help_text=_("用逗号分隔，例如 1,7,30,90：成交后第 1、7、30、90 天各安排一次回访"),
    )

    defeat_needs_approval = forms.BooleanField(
        label=_("战败须经理审批"),
        required=False,
        help_text=_("销售顾问提交战败申请，由本部门经理批准或退回（战败申请）"),
    )

    def clean_callback_days(self) -> list[int]:
        raw: str = self.cleaned_data["callback_days"]
        days = [d.strip() for d in raw.replace("，", ",").split(",") if d.strip()]
        if not days or not all(d.isascii() and d.isdigit() for d in days):
            raise forms.ValidationError(_("请用逗号分隔的天数，例如 1,7,30,90"))
        return [int(d) for d in days]

    @classmethod
    def for_settings(cls, settings: LifecycleSettings) -> FollowUpSettingsForm:
        return cls(
            initial={
                "missed_grace_hours": settings.missed_grace_hours,
                "callback_days": settings.callback_days,
                "defeat_needs_approval": settings.defeat_needs_approval,
            }
        )


class SourceForm(forms.Form):
    """One 认知途径: its name, place in the list and whether it is offered for new customers."""

    name = forms.CharField(label=_("名称"), max_length=30)
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=32767, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
