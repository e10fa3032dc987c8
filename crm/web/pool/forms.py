"""Forms of the public pools: the pool list's filter, a pool's settings, a return rule, a lock.
Field kinds and bounds come from the declared inputs (crm.pool.inputs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department, User
from crm.customers.choices import Category, Grade
from crm.pool.choices import HideableField
from crm.pool.inputs import LockInput, PoolInput, RuleInput
from crm.pool.models import Pool
from crm.web.inputs import form_field

_ANY = [("", _("全部"))]


class PoolFilterForm(forms.Form):
    pool = forms.TypedChoiceField(label=_("公海"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("客户名称或编号"), required=False, max_length=100)
    grade = forms.ChoiceField(label=_("意向级别"), required=False, choices=_ANY + Grade.choices)
    category = forms.ChoiceField(
        label=_("客户类别"), required=False, choices=_ANY + Category.choices
    )

    def __init__(self, *args: Any, pools: Iterable[Pool] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = _ANY + [(p.pk, p.name) for p in pools]  # type: ignore[attr-defined]


def _users(users: Iterable[User]) -> list[tuple[int, str]]:
    return [(u.pk, f"{u.display_name}（{u.username}）") for u in users]


class PoolForm(forms.Form):
    """A pool's settings as one form (the service takes the whole pool)."""

    name = form_field(PoolInput, "name", label=_("名称"))
    department = forms.TypedChoiceField(
        label=_("所属部门"), required=False, coerce=int, empty_value=None
    )
    region = form_field(PoolInput, "region", label=_("区域"))
    members = forms.TypedMultipleChoiceField(
        label=_("成员（可领取；其客户按规则收回到此公海）"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    admins = forms.TypedMultipleChoiceField(
        label=_("管理员（可分配）"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    hidden = forms.MultipleChoiceField(
        label=_("领取前隐藏的字段"),
        required=False,
        choices=HideableField.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("电话在领取前总是隐去中间四位"),
    )
    warn_days = form_field(PoolInput, "warn_days", label=_("收回前提醒（天）"), required=True)
    reclaim_days = form_field(
        PoolInput, "reclaim_days", label=_("原负责人不可领取（天）"), required=True
    )
    claims_per_day = form_field(
        PoolInput, "claims_per_day", label=_("每人每天可领取"), required=True
    )
    claims_per_time = form_field(PoolInput, "claims_per_time", label=_("每次可领取"), required=True)
    cap_per_rep = form_field(
        PoolInput, "cap_per_rep", label=_("每人客户上限（0 为不限）"), required=True
    )

    def __init__(
        self,
        *args: Any,
        users: Iterable[User] = (),
        departments: Iterable[Department] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        people = _users(users)
        self.fields["members"].choices = people  # type: ignore[attr-defined]
        self.fields["admins"].choices = people  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (d.pk, d.name) for d in departments
        ]


def pool_initial(pool: Pool) -> dict[str, Any]:
    return {
        "name": pool.name,
        "department": pool.department_id,
        "region": pool.region,
        "members": list(pool.member_users.values_list("pk", flat=True)),
        "admins": list(pool.admin_users.values_list("pk", flat=True)),
        "hidden": list(pool.hidden_fields or []),
        "warn_days": pool.warn_days,
        "reclaim_days": pool.reclaim_days,
        "claims_per_day": pool.claims_per_day,
        "claims_per_time": pool.claims_per_time,
        "cap_per_rep": pool.cap_per_rep,
    }


class RuleForm(forms.Form):
    kind = form_field(RuleInput, "kind", label=_("条件"))
    days = form_field(RuleInput, "days", label=_("天数"), required=True)
    grade = form_field(RuleInput, "grade", label=_("意向级别"))
    category = form_field(RuleInput, "category", label=_("客户类别"))
    include_deals = forms.BooleanField(label=_("已成交客户也收回"), required=False)


class LockForm(forms.Form):
    reason = form_field(LockInput, "reason", label=_("锁定原因"))
