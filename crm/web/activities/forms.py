"""Forms of the workday: a follow-up record, a plan, a reschedule, the day and calendar pickers.
They parse types and keep what was typed; the services in ``crm.activities`` decide what each
kind of record must say."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.activities.choices import FollowUpKind, PlanMethod
from crm.activities.inputs import REQUIRED_BY_KIND, FollowUpInput, PlanInput
from crm.web.inputs import form_field, in_year_range

_SLOT = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

# Which kinds of record show a field (the seed's forms); fields not listed show for every kind.
FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "place": (FollowUpKind.VISIT, FollowUpKind.MEETING),
    "purpose": (FollowUpKind.VISIT, FollowUpKind.STORE_VISIT, FollowUpKind.MEETING),
    "subject": (FollowUpKind.EMAIL,),
    "recipient": (FollowUpKind.EMAIL,),
    "feedback": tuple(k for k in FollowUpKind.values if k != FollowUpKind.EMAIL),
    "satisfaction": (FollowUpKind.CALLBACK, FollowUpKind.SERVICE),
}
# A plan's method → the kind of record that fulfils it.
KIND_FOR_METHOD: dict[str, str] = {
    PlanMethod.PHONE: FollowUpKind.CALL,
    PlanMethod.EMAIL: FollowUpKind.EMAIL,
    PlanMethod.MEETING: FollowUpKind.MEETING,
    PlanMethod.VISIT: FollowUpKind.VISIT,
    PlanMethod.STORE_VISIT: FollowUpKind.STORE_VISIT,
    PlanMethod.MESSAGE: FollowUpKind.MESSAGE,
}


def _followup(name: str, label: Any, **kwargs: Any) -> forms.Field:
    return form_field(FollowUpInput, name, label=label, **kwargs)


def now_local() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class FollowUpForm(forms.Form):
    """跟进记录: the kind, when, what was said and done, and an optional next step (a plan)."""

    kind = _followup(
        "kind",
        _("跟进方式"),
        initial=FollowUpKind.CALL,
        widget=forms.RadioSelect(attrs={"data-followup-kind": ""}),
    )
    occurred_at = _followup("occurred_at", _("跟进时间"), help_text=_("留空为现在"))
    place = _followup("place", _("地点"))
    purpose = _followup("purpose", _("目的"))
    subject = _followup("subject", _("邮件主题"))
    recipient = _followup("recipient", _("收件人"))
    content = _followup("content", _("内容"))
    feedback = _followup("feedback", _("客户反馈"), widget=forms.Textarea(attrs={"rows": 2}))
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(n), "★" * n) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )
    outcome = _followup("outcome", _("结果"), attrs={"placeholder": _("如：约好周六到店试驾")})
    next_at = _followup("next_at", _("下次跟进时间"))
    next_method = _followup("next_method", _("下次跟进方式"), initial=PlanMethod.PHONE)
    next_step = _followup("next_step", _("下一步"), attrs={"placeholder": _("下次要做什么")})
    plan = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kinds in FIELD_KINDS.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(kinds)
        for kind, names in REQUIRED_BY_KIND.items():
            for name in names:
                attrs = self.fields[name].widget.attrs
                attrs["data-required-for"] = f"{attrs.get('data-required-for', '')} {kind}".strip()

    @classmethod
    def for_plan(cls, plan: Any, **kwargs: Any) -> FollowUpForm:
        """A blank record answering ``plan``: its kind follows the plan's method."""
        kind = (
            FollowUpKind.CALLBACK
            if plan.kind == "callback"
            else KIND_FOR_METHOD.get(plan.method, FollowUpKind.CALL)
        )
        return cls(initial={"kind": kind, "plan": plan.pk, "content": ""}, **kwargs)

    def kinds_of(self, name: str) -> str:
        return " ".join(FIELD_KINDS.get(name, ()))

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as the ``data`` of ``followup_record``."""
        data = dict(self.cleaned_data)
        if data.get("plan") is None:
            data.pop("plan", None)
        return data


def _owner_choices(owners: Iterable[User]) -> list[tuple[str, str]]:
    return [
        (str(u.pk), f"{u.display_name}（{u.department.name}）" if u.department else u.display_name)
        for u in owners
    ]


def _plan(name: str, label: Any, **kwargs: Any) -> forms.Field:
    return form_field(PlanInput, name, label=label, **kwargs)


class PlanForm(forms.Form):
    """客户跟进计划表: date and time, method, content, the person who follows up."""

    planned_at = _plan("planned_at", _("计划时间"), required=True)
    method = _plan("method", _("跟进方式"), initial=PlanMethod.PHONE)
    content = _plan("content", _("跟进内容"), widget=forms.Textarea(attrs={"rows": 2}))
    assignee = forms.TypedChoiceField(
        label=_("跟进人员"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, owners: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _owner_choices(owners)
        self.fields["assignee"].choices = choices  # type: ignore[attr-defined]
        if len(choices) <= 1:
            self.fields["assignee"].widget = forms.HiddenInput()


class PlanRescheduleForm(forms.Form):
    """Move or reword an open plan (the version guards against a stale edit)."""

    planned_at = _plan("planned_at", _("计划时间"), required=True)
    method = _plan("method", _("跟进方式"))
    content = _plan("content", _("跟进内容"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class DayForm(forms.Form):
    """``?day=YYYY-MM-DD``; none, or text that is no date (a mangled bookmark), means today. A
    date outside the years 1900-2999 is an ``error`` (the page answers 400 saying so)."""

    day = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[in_year_range],
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.is_valid()

    @property
    def error(self) -> str:
        if not self.has_error("day", "year_range"):
            return ""
        return " ".join(str(m) for m in self.errors["day"])

    @property
    def day_value(self) -> dt.date:
        return self.cleaned_data.get("day") or timezone.localdate()


class CalendarForm(DayForm):
    view = forms.ChoiceField(
        required=False, choices=[("week", _("周")), ("month", _("月"))], initial="week"
    )

    @property
    def view_value(self) -> str:
        return self.cleaned_data.get("view") or "week"


@dataclass(frozen=True)
class Origin:
    """Where a follow-up form sits: on the Today page (``today``), on the customer page
    (``customer``) or on a page of its own; ``slot`` names its place in the page."""

    on: str
    slot: str

    @classmethod
    def read(cls, params: QueryDict) -> Origin:
        on = params.get("on", "")
        slot = params.get("slot", "")
        return cls(
            on if on in {"today", "customer"} else "",
            slot if _SLOT.match(slot) else "followup",
        )

    def next_url(self, customer_id: int) -> str:
        if self.on == "today":
            return reverse("web:today")
        return reverse("web:customer_detail", args=[customer_id])
