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
from crm.activities.services import REQUIRED_BY_KIND

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_SLOT = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

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


def _datetime(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=_DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        **kwargs,
    )


def _text(label: Any, max_length: int, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"maxlength": max_length, **attrs}),
    )


def _area(label: Any, rows: int = 2, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


def now_local() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class FollowUpForm(forms.Form):
    """跟进记录: the kind, when, what was said and done, and an optional next step (a plan)."""

    kind = forms.ChoiceField(
        label=_("跟进方式"),
        choices=FollowUpKind.choices,
        initial=FollowUpKind.CALL,
        widget=forms.RadioSelect(attrs={"data-followup-kind": ""}),
    )
    occurred_at = _datetime(_("跟进时间"), required=False, help_text=_("留空为现在"))
    place = _text(_("地点"), 200)
    purpose = _text(_("目的"), 200)
    subject = _text(_("邮件主题"), 200)
    recipient = _text(_("收件人"), 200)
    content = _area(_("内容"), rows=3)
    feedback = _area(_("客户反馈"))
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(n), "★" * n) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )
    outcome = _text(_("结果"), 200, placeholder=_("如：约好周六到店试驾"))
    next_at = _datetime(_("下次跟进时间"), required=False)
    next_method = forms.ChoiceField(
        label=_("下次跟进方式"),
        required=False,
        choices=PlanMethod.choices,
        initial=PlanMethod.PHONE,
    )
    next_step = _text(_("下一步"), 200, placeholder=_("下次要做什么"))
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


class PlanForm(forms.Form):
    """客户跟进计划表: date and time, method, content, the person who follows up."""

    planned_at = _datetime(_("计划时间"))
    method = forms.ChoiceField(
        label=_("跟进方式"), choices=PlanMethod.choices, initial=PlanMethod.PHONE
    )
    content = _area(_("跟进内容"))
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

    planned_at = _datetime(_("计划时间"))
    method = forms.ChoiceField(label=_("跟进方式"), choices=PlanMethod.choices)
    content = _area(_("跟进内容"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class DayForm(forms.Form):
    """``?day=YYYY-MM-DD``; anything else means today."""

    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.is_valid()

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
