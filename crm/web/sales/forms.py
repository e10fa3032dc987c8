"""The sales forms: an opportunity (with up to ``LINE_ROWS`` product lines on the page), a
follow-up about it, closing it won or lost, a pipeline's stages and the lost reasons. Field
kinds and bounds come from the declared inputs (crm.sales.inputs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.activities.choices import FollowUpKind
from crm.activities.inputs import FollowUpInput
from crm.sales.choices import Currency
from crm.sales.inputs import LoseInput, OpportunityInput, OpportunityLineInput, StageInput, WinInput
from crm.sales.models import LostReason, Opportunity, Stage
from crm.web.inputs import form_field

LINE_ROWS = 5  # blank product lines a form offers (more: save and edit again)
STAGE_ROWS = 3  # blank stage rows the pipeline form offers


class OpportunityForm(forms.Form):
    name = form_field(OpportunityInput, "name", label=_("机会名称"))
    amount = form_field(
        OpportunityInput, "amount", label=_("预计金额"), help_text=_("填写产品明细时为明细合计")
    )
    currency = form_field(OpportunityInput, "currency", label=_("币种"))
    expected_close_on = form_field(OpportunityInput, "expected_close_on", label=_("预计成交日期"))
    stage = forms.TypedChoiceField(label=_("阶段"), coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label=_("负责人"), coerce=int, required=False, empty_value=None)
    notes = form_field(OpportunityInput, "notes", label=_("备注"))

    def __init__(
        self,
        *args: Any,
        stages: Sequence[Stage] = (),
        owners: Sequence[Any] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = Currency.CNY
        if editing:
            del self.fields["stage"]
        else:
            self.fields["stage"].choices = [  # type: ignore[attr-defined]
                (s.pk, f"{s.pipeline.name} · {s.name} ({s.probability}%)") for s in stages
            ]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            (u.pk, u.display_name) for u in owners
        ]
        self.lines = [LineForm(*args, prefix=f"line{n}") for n in range(LINE_ROWS)]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([valid, *(line.is_valid() for line in self.lines)])

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "") or k == "notes"}
        data.setdefault("expected_close_on", None)
        lines = [line.cleaned_data for line in self.lines if line.filled]
        data["lines"] = [
            {
                "product_name": r["product_name"],
                "quantity": str(r["quantity"]),
                "unit_price": str(r["unit_price"]),
            }
            for r in lines
        ]
        if "amount" in data:
            data["amount"] = str(data["amount"])
        return data

    @classmethod
    def of(cls, opportunity: Opportunity, **kwargs: Any) -> OpportunityForm:
        initial = {
            "name": opportunity.name,
            "amount": opportunity.amount,
            "currency": opportunity.currency,
            "expected_close_on": opportunity.expected_close_on,
            "owner": opportunity.owner_id,
            "notes": opportunity.notes,
        }
        form = cls(initial=initial, editing=True, **kwargs)
        for line_form, line in zip(form.lines, opportunity.lines.all(), strict=False):
            line_form.initial = {
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
        return form


class LineForm(forms.Form):
    product_name = form_field(OpportunityLineInput, "product_name", label=_("产品名称"))
    quantity = form_field(OpportunityLineInput, "quantity", label=_("数量"))
    unit_price = form_field(OpportunityLineInput, "unit_price", label=_("单价"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_name"].widget.attrs.pop("required", None)

    @property
    def filled(self) -> bool:
        return bool(self.cleaned_data.get("product_name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("product_name"):
            if data.get("quantity") in (None, 0):
                self.add_error("quantity", _("请填写数量"))
            if data.get("unit_price") is None:
                self.add_error("unit_price", _("请填写单价"))
        return data


class FollowUpForm(forms.Form):
    """阶段跟进: what was said, and the next step (with a time, a plan)."""

    kind = forms.ChoiceField(
        label=_("跟进方式"),
        choices=[
            (k.value, k.label)
            for k in (
                FollowUpKind.CALL,
                FollowUpKind.MEETING,
                FollowUpKind.STORE_VISIT,
                FollowUpKind.MESSAGE,
            )
        ],
        initial=FollowUpKind.CALL,
    )
    content = form_field(FollowUpInput, "content", label=_("跟进内容"), required=True)
    next_step = form_field(FollowUpInput, "next_step", label=_("下一步计划"))
    next_at = form_field(FollowUpInput, "next_at", label=_("下次跟进时间"))

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "next_at" in data:
            data["next_at"] = data["next_at"].isoformat()
        return data


class WinForm(forms.Form):
    won_on = form_field(WinInput, "won_on", label=_("成交日期"), help_text=_("留空为今天"))
    note = form_field(WinInput, "note", label=_("说明"))

    def service_data(self, version: int) -> dict[str, Any]:
        data: dict[str, Any] = {"version": version, "note": self.cleaned_data.get("note") or ""}
        if self.cleaned_data.get("won_on"):
            data["won_on"] = self.cleaned_data["won_on"].isoformat()
        return data


class LoseForm(forms.Form):
    reason = forms.TypedChoiceField(label=_("输单原因"), coerce=int)
    note = form_field(LoseInput, "note", label=_("说明"))

    def __init__(self, *args: Any, reasons: Sequence[LostReason] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((r.pk, r.name) for r in reasons),
        ]

    def service_data(self, version: int) -> dict[str, Any]:
        return {
            "version": version,
            "reason": self.cleaned_data["reason"],
            "note": self.cleaned_data.get("note") or "",
        }


class StageForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = form_field(StageInput, "name", label=_("阶段名称"))
    probability = form_field(StageInput, "probability", label=_("赢单概率（%）"))
    stale_days = form_field(StageInput, "stale_days", label=_("停滞天数"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.pop("required", None)

    @property
    def filled(self) -> bool:
        return bool(self.cleaned_data.get("name"))


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("流程名称"), max_length=50, required=False)
    is_default = forms.BooleanField(label=_("设为默认流程"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, stages: Sequence[Stage] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = args[0] if args else None
        count = len(stages) + STAGE_ROWS
        self.stages = [
            StageForm(
                data,
                prefix=f"stage{n}",
                initial=(
                    {
                        "id": s.pk,
                        "name": s.name,
                        "probability": s.probability,
                        "stale_days": s.stale_days,
                    }
                    if (s := stages[n] if n < len(stages) else None)
                    else None
                ),
            )
            for n in range(count)
        ]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([valid, *(s.is_valid() for s in self.stages)])

    def service_data(self) -> dict[str, Any]:
        rows = []
        for stage in self.stages:
            if not stage.filled:
                continue
            row = {k: v for k, v in stage.cleaned_data.items() if v is not None}
            row.setdefault("probability", 0)
            rows.append(row)
        return {
            "name": self.cleaned_data.get("name") or "",
            "is_default": bool(self.cleaned_data.get("is_default")),
            "active": bool(self.cleaned_data.get("active")),
            "stages": rows,
        }


class LostReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("输单原因（每行一个，按顺序）"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=3000,
    )

    def service_data(self, existing: Sequence[LostReason]) -> dict[str, Any]:
        by_name = {r.name: r.pk for r in existing}
        names = [line.strip() for line in self.cleaned_data["reasons"].splitlines()]
        return {
            "reasons": [
                {"id": by_name[n], "name": n} if n in by_name else {"name": n}
                for n in dict.fromkeys(n for n in names if n)
            ]
        }
