"""Forms shape browser input into the data the customer services take. The services validate
(phone, ID number, duplicates, grade rules); the forms only parse types and keep what was typed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.customers.choices import Category, ContactRole, Gender, Grade, Kind, Source
from crm.customers.models import Customer, Tag
from crm.customers.selectors import CustomerFilters

from .presenters import FIELD_LABELS

_BLANK: list[tuple[str, str]] = [("", "—")]
_TAG_SPLIT = re.compile(r"[,，、;；]+")


def _owner_choices(owners: Iterable[User]) -> list[tuple[str, str]]:
    return [
        (str(u.pk), f"{u.display_name}（{u.department.name}）" if u.department else u.display_name)
        for u in owners
    ]


def _text(name: str, max_length: int, **attrs: Any) -> forms.CharField:
    widget_attrs = {"maxlength": max_length, **attrs}
    return forms.CharField(
        label=FIELD_LABELS[name],
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _area(name: str) -> forms.CharField:
    return forms.CharField(
        label=FIELD_LABELS[name],
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CustomerForm(forms.Form):
    """Every field of a customer. ``owners`` are the users the actor may assign."""

    kind = forms.ChoiceField(
        label=FIELD_LABELS["kind"],
        choices=Kind.choices,
        initial=Kind.PERSON,
        widget=forms.RadioSelect(attrs={"data-kind-switch": ""}),
    )
    name = _text("name", 100, required=True, autofocus=True)
    phone = _text("phone", 20, inputmode="tel", autocomplete="off")
    email = forms.CharField(
        label=FIELD_LABELS["email"],
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"maxlength": 254}),
    )
    id_number = _text("id_number", 18, autocomplete="off")
    credit_code = _text("credit_code", 18, autocomplete="off")
    company = _text("company", 100)
    address = _text("address", 200)
    city = _text("city", 50)
    staff_count = forms.IntegerField(label=FIELD_LABELS["staff_count"], required=False, min_value=0)
    annual_revenue = forms.DecimalField(
        label=FIELD_LABELS["annual_revenue"],
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    main_business = _text("main_business", 200)
    source = forms.ChoiceField(
        label=FIELD_LABELS["source"], required=False, choices=[*_BLANK, *Source.choices]
    )
    # a deal or a defeat is recorded through 变更状态, with what it needs (date, analysis)
    category = forms.ChoiceField(
        label=FIELD_LABELS["category"],
        choices=[c for c in Category.choices if c[0] not in (Category.RETAINED, Category.DEFEATED)],
        initial=Category.POTENTIAL,
        widget=forms.Select(attrs={"data-category-switch": ""}),
    )
    grade = forms.ChoiceField(
        label=FIELD_LABELS["grade"],
        required=False,
        choices=[*_BLANK, *Grade.choices],
        help_text=_("意向客户必须选择级别，级别决定跟进频率"),
    )
    expected_purchase_on = forms.DateField(
        label=FIELD_LABELS["expected_purchase_on"],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("用于建议意向级别"),
    )
    deposit_amount = forms.DecimalField(
        label=_("定金金额（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("O 级（已交定金）必填"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    deposit_on = forms.DateField(
        label=_("定金日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = forms.TypedChoiceField(
        label=FIELD_LABELS["owner"], required=False, coerce=int, empty_value=None
    )
    tags = forms.CharField(
        label=FIELD_LABELS["tags"],
        required=False,
        max_length=500,
        help_text=_("多个标签用逗号分隔，例如：VIP，展厅到访"),
    )
    needs = _area("needs")
    feedback = _area("feedback")
    notes = _area("notes")

    def __init__(self, *args: Any, owners: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _owner_choices(owners)  # type: ignore[attr-defined]

    def clean_tags(self) -> list[str]:
        raw: str = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in _TAG_SPLIT.split(raw) if t.strip()]

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as the ``data`` mapping of ``customer_create``/``customer_update``."""
        return dict(self.cleaned_data)

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        """The form's initial values for editing ``customer``."""
        initial: dict[str, Any] = {
            name: getattr(customer, name)
            for name in CustomerForm.base_fields
            if name not in {"owner", "tags", "phone", "id_number"}
        }
        initial.update(
            owner=customer.owner_id,
            tags="，".join(t.name for t in customer.tags.all()),
            phone=customer.phone,
            id_number=customer.id_number,
        )
        return initial


class CustomerEditForm(CustomerForm):
    """Editing carries the version the edit started from; a stale one is refused (conflict).
    Category and grade are not edited here: they change through a transition (变更状态), which
    asks for what the rules require (a grade, a deal date, a defeat analysis)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, customer: Customer, owners: Iterable[User], **kwargs: Any):
        owners = list(owners)
        if customer.owner is not None and customer.owner not in owners:
            owners.insert(0, customer.owner)
        super().__init__(*args, owners=owners, **kwargs)
        self.customer = customer
        del self.fields["category"], self.fields["grade"]
        if customer.grade != Grade.O:  # a deposit is recorded when the customer becomes O
            del self.fields["deposit_amount"], self.fields["deposit_on"]
        if customer.owner is None:  # a pool customer stays in the pool unless someone is chosen
            owner = self.fields["owner"]
            owner.choices = [("", _("公海（无负责人）")), *owner.choices]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("version", None)
        if data.get("owner") == self.customer.owner_id:
            data.pop("owner")  # unchanged (also keeps a pool customer in the pool)
        return data


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 50, "required": True}),
    )
    role = forms.ChoiceField(
        label=_("职务"), choices=ContactRole.choices, initial=ContactRole.OTHER
    )
    title = forms.CharField(label=_("职位名称"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    age = forms.IntegerField(label=_("年龄"), required=False, min_value=1, max_value=129)
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[*_BLANK, *Gender.choices])
    hobbies = forms.CharField(
        label=_("爱好"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：高尔夫、钓鱼、茶道")}),
    )


class CustomerFilterForm(forms.Form):
    """The list page's search box and filters, read from the query string (bookmarkable)."""

    q = forms.CharField(required=False, max_length=100)
    category = forms.ChoiceField(required=False, choices=[("", _("全部类别")), *Category.choices])
    grade = forms.ChoiceField(required=False, choices=[("", _("全部级别")), *Grade.choices])
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    tag = forms.ChoiceField(required=False)
    cursor = forms.CharField(required=False, max_length=200)

    FILTERS = ("q", "category", "grade", "owner", "tag")

    def __init__(self, data: QueryDict, *, owners: Iterable[User], tags: Iterable[Tag]) -> None:
        super().__init__(data)
        self.fields["owner"].choices = [("", _("全部负责人")), *_owner_choices(owners)]  # type: ignore[attr-defined]
        self.fields["tag"].choices = [("", _("全部标签")), *((t.name, t.name) for t in tags)]  # type: ignore[attr-defined]
        self.is_valid()

    def value(self, name: str) -> Any:
        """The cleaned value, or empty when that parameter was missing or invalid."""
        return self.cleaned_data.get(name) or None

    def filters(self) -> CustomerFilters:
        return CustomerFilters(
            q=self.value("q") or "",
            category=self.value("category") or "",
            grade=self.value("grade") or "",
            owner=self.value("owner"),
            tag=self.value("tag") or "",
        )

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.FILTERS)

    def query(self, cursor: str | None = None) -> str:
        """The query string of these filters (and a cursor), for links that keep them."""
        params = QueryDict(mutable=True)
        for name in self.FILTERS:
            value = self.value(name)
            if value not in (None, ""):
                params[name] = str(value)
        if cursor:
            params["cursor"] = cursor
        return params.urlencode()

    @property
    def owner_choice_count(self) -> int:
        return len(self.fields["owner"].choices) - 1  # type: ignore[attr-defined]
