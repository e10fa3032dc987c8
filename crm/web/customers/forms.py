"""Forms shape browser input into the data the customer services take. Their fields derive from
the declared inputs (``crm.customers.inputs``); the services validate (phone, ID number,
duplicates, grade rules) with the same declaration; the forms parse types and keep what was
typed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.core.validators import format_phone
from crm.customers import sources
from crm.customers.choices import Category, ContactRole, Grade, Kind
from crm.customers.inputs import (
    INTERNATIONAL_FIELDS,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    ContactInput,
    CustomerInput,
    ShareInput,
)
from crm.customers.models import Contact, Customer, Tag
from crm.customers.selectors import CustomerFilters
from crm.web.inputs import form_field

from .presenters import FIELD_LABELS

_BLANK: list[tuple[str, str]] = [("", "—")]

# the sortable columns, both ways (crm.customers.selectors.SORTS)
SORT_LABELS = {
    "-last_contact": _("最近跟进（最近的在前）"),
    "last_contact": _("最近跟进（最早的在前）"),
    "next_due": _("下次跟进（最早的在前）"),
    "-next_due": _("下次跟进（最晚的在前）"),
    "grade": _("级别（O→C）"),
    "-grade": _("级别（C→O）"),
    "-created": _("创建时间（最新的在前）"),
    "created": _("创建时间（最早的在前）"),
    "owner": _("负责人"),
    "-owner": _("负责人（倒序）"),
}
_TAG_SPLIT = re.compile(r"[,，、;；]+")


def _owner_label(user: User) -> str:
    label = (
        f"{user.display_name}（{user.department.name}）" if user.department else user.display_name
    )
    if not user.is_active:  # a deactivated rep, kept so that their customers can be found
        label = label + " · " + str(_("已停用"))
    return label


def _owner_choices(owners: Iterable[User]) -> list[tuple[str, str]]:
    return [(str(u.pk), _owner_label(u)) for u in owners]


def _source_choices(current: str) -> list[tuple[str, str]]:
    """The sources switched on, and the one the customer has even if switched off (kept)."""
    choices = [("", "—")]
    for source in sources.source_list():
        if source.active:
            choices.append((source.code, sources.label(source)))
        elif source.code == current:
            choices.append((source.code, sources.label(source) + " · " + str(_("已停用"))))
    return choices


def _field(name: str, **kwargs: Any) -> forms.Field:
    return form_field(CustomerInput, name, label=FIELD_LABELS[name], **kwargs)


class TagsField(forms.CharField):
    """Tags typed in one box, separated by commas (either width) or 、; the service checks how
    many and how long (the declaration's ``Tags``)."""

    def clean(self, value: Any) -> list[str]:
        raw: str = super().clean(value)
        return [t.strip() for t in _TAG_SPLIT.split(raw) if t.strip()]


class CustomerForm(forms.Form):
    """Every field of a customer (``crm.customers.inputs.CustomerInput``). ``owners`` are the
    users the actor may assign."""

    kind = _field(
        "kind", widget=forms.RadioSelect(attrs={"data-kind-switch": ""}), initial=Kind.PERSON
    )
    name = _field("name", attrs={"autofocus": True})
    phone = _field("phone")
    wechat = _field("wechat", help_text=_("6–20 位，字母开头；也可填手机号"))
    email = _field("email")
    id_number = _field("id_number")
    credit_code = _field("credit_code")
    company = _field("company")
    address = _field("address")
    city = _field("city")
    staff_count = _field("staff_count")
    annual_revenue = _field("annual_revenue")
    main_business = _field("main_business")
    bank_name = _field("bank_name")
    bank_account = _field("bank_account")
    # 认知途径: the company's list (crm.customers.sources), read when the form is made
    source = forms.ChoiceField(label=FIELD_LABELS["source"], required=False)
    category = _field(
        "category",
        widget=forms.Select(attrs={"data-category-switch": ""}),
        initial=Category.POTENTIAL,
    )
    # a deal or a defeat is recorded through 变更状态, with what it needs (date, analysis)
    category.choices = [  # type: ignore[attr-defined]
        c for c in Category.choices if c[0] not in (Category.RETAINED, Category.DEFEATED)
    ]
    grade = _field("grade", help_text=_("意向客户必须选择级别，级别决定跟进频率"))
    expected_purchase_on = _field("expected_purchase_on", help_text=_("用于建议意向级别"))
    deposit_amount = form_field(
        CustomerInput,
        "deposit_amount",
        label=_("定金金额（元）"),
        help_text=_("O 级（已交定金）必填"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    deposit_on = form_field(CustomerInput, "deposit_on", label=_("定金日期"))
    owner = forms.TypedChoiceField(
        label=FIELD_LABELS["owner"], required=False, coerce=int, empty_value=None
    )
    tags = TagsField(
        label=FIELD_LABELS["tags"],
        required=False,
        max_length=TAGS_MAX * (TAG_MAX_LENGTH + 1),
        help_text=_("多个标签用逗号分隔，例如：VIP，展厅到访"),
    )
    needs = _field("needs")
    feedback = _field("feedback")
    # 国际客户: folded away on the form unless one of them is filled
    country = _field("country")
    language = _field("language")
    time_zone = _field(
        "time_zone",
        attrs={"placeholder": "America/New_York", "list": "time-zones"},
        help_text=_("IANA 时区名称，用于安排联系时间"),
    )
    company_type = _field("company_type")
    currency = _field("currency")
    website = _field("website", attrs={"placeholder": "https://www.example.com"})
    fax = _field("fax", attrs={"placeholder": "+1 650 253 0000"})
    notes = _field("notes")

    def __init__(
        self, *args: Any, owners: Iterable[User], current_source: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _owner_choices(owners)  # type: ignore[attr-defined]
        self.fields["source"].choices = _source_choices(current_source)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as the ``data`` mapping of ``customer_create``/``customer_update``."""
        return dict(self.cleaned_data)

    # offered as the time zone box's suggestions (any IANA zone may be typed)
    time_zone_options = (
        "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Seoul",
        "Asia/Singapore", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Dubai",
        "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Moscow",
        "Africa/Lagos", "Africa/Johannesburg", "America/New_York", "America/Chicago",
        "America/Los_Angeles", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo",
        "Australia/Sydney", "Pacific/Auckland",
    )  # fmt: skip

    @property
    def international_open(self) -> bool:
        """The 国际客户 fieldset shows open when one of its fields is filled or refused."""
        values = self.data if self.is_bound else self.initial
        return any(values.get(f) for f in INTERNATIONAL_FIELDS) or any(
            f in self.errors for f in INTERNATIONAL_FIELDS
        )

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
            phone=format_phone(customer.phone),
            fax=format_phone(customer.fax),
            id_number=customer.id_number,
        )
        return initial


class CustomerEditForm(CustomerForm):
    """Editing carries the version the edit started from; a stale one is refused (conflict).
    Category and grade are not edited here: they change through a transition (变更状态), which
    asks for what the rules require (a grade, a deal date, a defeat analysis)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    change_reason = forms.CharField(
        label=_("变更原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        customer: Customer,
        owners: Iterable[User],
        direct: bool = True,
        **kwargs: Any,
    ):
        owners = list(owners)
        if customer.owner is not None and customer.owner not in owners:
            owners.insert(0, customer.owner)
        super().__init__(*args, owners=owners, current_source=customer.source, **kwargs)
        self.customer = customer
        if direct:  # the data-management department edits master data directly
            del self.fields["change_reason"]
        del self.fields["category"], self.fields["grade"]
        if customer.grade != Grade.O:  # a deposit is recorded when the customer becomes O
            del self.fields["deposit_amount"], self.fields["deposit_on"]
        if customer.owner is None:  # a pool customer stays in the pool unless someone is chosen
            owner = self.fields["owner"]
            owner.choices = [("", _("公海（无负责人）")), *owner.choices]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("version", None)
        data.pop("change_reason", None)
        if data.get("owner") == self.customer.owner_id:
            data.pop("owner")  # unchanged (also keeps a pool customer in the pool)
        return data


def _contact(name: str, label: Any, **kwargs: Any) -> forms.Field:
    return form_field(ContactInput, name, label=label, **kwargs)


class ContactForm(forms.Form):
    """A contact person (``crm.customers.inputs.ContactInput``)."""

    name = _contact("name", _("姓名"))
    role = _contact("role", _("职务"), initial=ContactRole.OTHER)
    title = _contact("title", _("职位名称"))
    phone = _contact("phone", _("电话"))
    wechat = _contact("wechat", _("微信号"))
    age = _contact("age", _("年龄"))
    gender = _contact("gender", _("性别"))
    hobbies = _contact("hobbies", _("爱好"), attrs={"placeholder": _("如：高尔夫、钓鱼、茶道")})

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        initial = {name: getattr(contact, name) for name in ContactForm.base_fields}
        initial["phone"] = format_phone(contact.phone)  # +1 650-253-0000, not E.164
        initial["version"] = contact.version
        return initial


class ContactEditForm(ContactForm):
    """Editing a contact carries the version it started from; a stale one is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class CustomerFilterForm(forms.Form):
    """The list page's search box and filters, read from the query string (bookmarkable)."""

    q = forms.CharField(required=False, max_length=100)
    category = forms.ChoiceField(required=False, choices=[("", _("全部类别")), *Category.choices])
    grade = forms.ChoiceField(required=False, choices=[("", _("全部级别")), *Grade.choices])
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    tag = forms.ChoiceField(required=False)
    follow = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("全部跟进状态")),
            ("overdue", _("跟进已逾期")),
            ("due", _("今日到期及逾期")),
            ("never", _("从未跟进")),
        ],
    )
    created = forms.ChoiceField(
        required=False,
        choices=[("", _("全部创建时间")), ("week", _("本周新增")), ("month", _("本月新增"))],
    )
    mine = forms.BooleanField(required=False)
    shared = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=[("", _("最新创建"))])
    cursor = forms.CharField(required=False, max_length=200)

    FILTERS = ("q", "category", "grade", "owner", "tag", "follow", "created", "mine", "shared")
    QUERY = (*FILTERS, "sort")

    def __init__(self, data: QueryDict, *, owners: Iterable[User], tags: Iterable[Tag]) -> None:
        super().__init__(data)
        self.fields["owner"].choices = [("", _("全部负责人")), *_owner_choices(owners)]  # type: ignore[attr-defined]
        self.fields["tag"].choices = [("", _("全部标签")), *((t.name, t.name) for t in tags)]  # type: ignore[attr-defined]
        self.fields["sort"].choices = [("", _("最新创建")), *SORT_LABELS.items()]  # type: ignore[attr-defined]
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
            mine=bool(self.value("mine")),
            shared=bool(self.value("shared")),
            follow=self.value("follow") or "",
            created=self.value("created") or "",
            sort=self.value("sort") or "",
        )

    def sort_link(self, name: str) -> dict[str, str]:
        """The header link of a sortable column: its query (first page; descending first, the
        other way when already so sorted) and the arrow of the current order."""
        current = self.value("sort") or ""
        nxt = name if current == f"-{name}" else f"-{name}"
        arrow = {f"-{name}": "↓", name: "↑"}.get(current, "")
        params = QueryDict(mutable=True)
        for field in self.FILTERS:
            value = self.value(field)
            if value not in (None, "", False):
                params[field] = "1" if value is True else str(value)
        params["sort"] = nxt
        return {"query": params.urlencode(), "arrow": arrow}

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.FILTERS)

    def query(self, cursor: str | None = None) -> str:
        """The query string of these filters (and a cursor), for links that keep them."""
        params = QueryDict(mutable=True)
        for name in self.QUERY:
            value = self.value(name)
            if value not in (None, "", False):
                params[name] = "1" if value is True else str(value)
        if cursor:
            params["cursor"] = cursor
        return params.urlencode()

    @property
    def owner_choice_count(self) -> int:
        return len(self.fields["owner"].choices) - 1  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    """Share a customer with a colleague (``crm.customers.inputs.ShareInput``)."""

    user = forms.TypedChoiceField(label=_("共享给"), coerce=int)
    mode = form_field(ShareInput, "mode", label=_("权限"))
    until = form_field(ShareInput, "until", label=_("共享至（含当天）"))

    def __init__(self, data: Any = None, *, colleagues: Iterable[User] = (), **kwargs: Any):
        super().__init__(data, **kwargs)
        self.fields["user"].choices = [("", "—"), *_owner_choices(colleagues)]  # type: ignore[attr-defined]
