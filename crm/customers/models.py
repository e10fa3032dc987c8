from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy, RestrictedQuerySet
from crm.core.regions import country_choices, currency_choices, language_choices

from . import sensitive
from .choices import Category, CompanyType, ContactRole, Gender, Grade, Kind, ShareMode


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=30, unique=True)
    color = models.CharField(_("颜色"), max_length=7, default="#1677ff")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("model", "标签")
        verbose_name_plural = pgettext_lazy("model plural", "标签")

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(RestrictedQuerySet["Customer"]):
    def alive(self) -> CustomerQuerySet:
        return self.filter(deleted_at__isnull=True)


_ALIVE = Q(deleted_at__isnull=True)


class Customer(TimeStampedModel):
    """A customer (客户档案): a person or an organisation."""

    # NULL only between the INSERT and the number derived from the new id (unique allows NULLs)
    number = models.CharField(  # noqa: DJ001
        _("客户编号"), max_length=20, unique=True, null=True, editable=False
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("名称"), max_length=100)
    name_key = models.CharField(max_length=100, editable=False, default="")
    # Sensitive: read and write through crm.customers.sensitive only. ``*_store``: ciphertext;
    # ``*_index``: the keyed hash that lookups and the unique constraints use (ADR 0009).
    phone_store = models.CharField(
        _("电话"), max_length=120, blank=True, default="", db_column="phone"
    )
    phone_index = models.CharField(max_length=16, blank=True, default="", editable=False)
    email = models.EmailField(_("邮箱"), blank=True, default="")
    wechat = models.CharField(_("微信号"), max_length=20, blank=True, default="")
    id_number_store = models.CharField(
        _("身份证号"), max_length=120, blank=True, default="", db_column="id_number"
    )
    id_number_index = models.CharField(max_length=16, blank=True, default="", editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    company = models.CharField(_("单位名称"), max_length=100, blank=True, default="")
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    city = models.CharField(_("城市"), max_length=50, blank=True, default="")
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True, default="")
    bank_account_store = models.CharField(
        _("银行账号"), max_length=120, blank=True, default="", db_column="bank_account"
    )
    staff_count = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("年营业额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    main_business = models.CharField(_("主营业务"), max_length=200, blank=True, default="")
    needs = models.TextField(_("客户需求"), blank=True, default="")
    feedback = models.TextField(_("客户反馈"), blank=True, default="")
    # the code of a Source row (认知途径, a list the company edits); blank: not given
    source = models.CharField(_("认知途径"), max_length=20, blank=True, default="")
    category = models.CharField(
        _("客户类别"), max_length=12, choices=Category.choices, default=Category.POTENTIAL
    )
    grade = models.CharField(
        _("意向级别"), max_length=1, choices=Grade.choices, blank=True, default=""
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("负责人"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("所属部门"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("标签"))
    notes = models.TextField(_("备注"), blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("删除人"),
    )

    # International customers (issue 10): the foreign-trade table's columns. The fax is a phone
    # number normalised as phones are (mainland digits, else E.164), in the phone's
    # confidentiality group but not encrypted (a company's fax line, no personal number).
    fax = models.CharField(_("传真"), max_length=20, blank=True, default="")
    country = models.CharField(
        _("国家/地区"), max_length=2, choices=country_choices, blank=True, default=""
    )
    website = models.CharField(_("网址"), max_length=200, blank=True, default="")
    language = models.CharField(
        _("沟通语言"), max_length=3, choices=language_choices, blank=True, default=""
    )
    time_zone = models.CharField(_("时区"), max_length=64, blank=True, default="")
    company_type = models.CharField(
        _("公司性质"), max_length=12, choices=CompanyType.choices, blank=True, default=""
    )
    currency = models.CharField(
        _("结算币种"), max_length=3, choices=currency_choices, blank=True, default=""
    )

    # Lifecycle and follow-up state (issue 3), maintained by crm.customers.lifecycle.
    expected_purchase_on = models.DateField(_("预计购买日期"), null=True, blank=True)
    graded_at = models.DateTimeField(_("定级时间"), null=True, blank=True)
    deal_on = models.DateField(_("成交日期"), null=True, blank=True)
    # grade O: the deposit received (定金), its amount and the day it was paid
    deposit_amount = models.DecimalField(
        _("定金金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deposit_on = models.DateField(_("定金日期"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("最近跟进"), null=True, blank=True)
    next_plan_on = models.DateField(_("最近计划日期"), null=True, blank=True)
    next_due_on = models.DateField(_("下次跟进日"), null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    # a customer is its owner's and the owner's department's, and a colleague's it is shared with
    policy = Policy(owner="owner", department="department", shared="shares")
    # the ciphertext columns (key rotation, crm.customers.sensitive.encrypted_columns)
    encrypted_fields = {
        "phone_store": sensitive.PHONE,
        "id_number_store": sensitive.ID_NUMBER,
        "bank_account_store": sensitive.BANK_ACCOUNT,
    }

    snapshot_exclude = (
        "created_at",
        "updated_at",
        "name_key",
        "version",
        "last_contact_at",
        "next_plan_on",
        "next_due_on",
        "graded_at",
        "phone_index",
        "id_number_index",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "客户")
        verbose_name_plural = pgettext_lazy("model plural", "客户")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"],
                condition=_ALIVE & ~Q(phone_index=""),
                name="customer_unique_phone",
            ),
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=_ALIVE & ~Q(id_number_index=""),
                name="customer_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=_ALIVE & ~Q(credit_code=""),
                name="customer_unique_credit_code",
            ),
            models.UniqueConstraint(
                fields=["name_key"],
                condition=_ALIVE & Q(kind=Kind.ORGANIZATION),
                name="customer_unique_org_name",
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(category=Category.INTENTION),
                name="customer_grade_only_for_intention",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "id"], condition=_ALIVE, name="customer_owner_id"),
            models.Index(
                fields=["department", "id"], condition=_ALIVE, name="customer_department_id"
            ),
            models.Index(fields=["category", "id"], condition=_ALIVE, name="customer_category_id"),
            models.Index(fields=["grade", "id"], condition=_ALIVE, name="customer_grade_id"),
            models.Index(fields=["email"], name="customer_email"),
            models.Index(
                fields=["owner", "created_at"], condition=_ALIVE, name="customer_owner_created"
            ),
            models.Index(
                fields=["owner", "next_due_on", "id"],
                condition=_ALIVE & Q(next_due_on__isnull=False),
                name="customer_owner_due",
            ),
            models.Index(fields=["deleted_at"], name="customer_deleted_at"),
            # the list's sorts (crm.customers.selectors.SORTS): key then id, live rows only
            models.Index(
                fields=["last_contact_at", "id"], condition=_ALIVE, name="customer_last_contact"
            ),
            models.Index(fields=["next_due_on", "id"], condition=_ALIVE, name="customer_next_due"),
            models.Index(fields=["created_at", "id"], condition=_ALIVE, name="customer_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if sensitive.MASKED in self.__dict__:
            raise TypeError("a masked display copy is never saved")
        super().save(*args, **kwargs)

    @property
    def phone(self) -> str:
        return sensitive.read_phone(self)

    @property
    def id_number(self) -> str:
        return sensitive.read_id_number(self)

    @property
    def bank_account(self) -> str:
        return sensitive.read_bank_account(self)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def tag_names(self) -> list[str]:
        """The tag names, sorted: read for a whole page at once as plain rows
        (``selectors.with_tag_names``), else through the tags relation."""
        names: list[str] | None = self.__dict__.get("_tag_names")
        if names is None:
            names = sorted(t.name for t in self.tags.all())
        return list(names)

    def snapshot(self) -> dict[str, Any]:
        data = super().snapshot()
        data.pop("phone_store")
        data.pop("id_number_store")
        data.pop("bank_account_store")
        data["phone"] = self.phone
        data["id_number"] = self.id_number
        data["bank_account"] = self.bank_account
        if self.pk:
            data["tags"] = sorted(t.name for t in self.tags.all())
        return data


class Contact(TimeStampedModel):
    """A contact person of an organisation (核心人员), with role and hobbies."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(
        _("职务"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER
    )
    title = models.CharField(_("职位名称"), max_length=50, blank=True, default="")
    phone_store = models.CharField(
        _("电话"), max_length=120, blank=True, default="", db_column="phone"
    )
    phone_index = models.CharField(max_length=16, blank=True, default="", editable=False)
    wechat = models.CharField(_("微信号"), max_length=20, blank=True, default="")
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    gender = models.CharField(
        _("性别"), max_length=6, choices=Gender.choices, blank=True, default=""
    )
    hobbies = models.CharField(_("爱好"), max_length=200, blank=True, default="")
    notes = models.TextField(_("备注"), blank=True, default="")
    # an edit carries the version it started from: a stale one is a conflict, as for customers
    version = models.PositiveIntegerField(_("版本"), default=1)

    encrypted_fields = {"phone_store": sensitive.PHONE}
    snapshot_exclude = ("created_at", "updated_at", "version", "phone_index")

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "联系人")
        verbose_name_plural = pgettext_lazy("model plural", "联系人")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if sensitive.MASKED in self.__dict__:
            raise TypeError("a masked display copy is never saved")
        super().save(*args, **kwargs)

    @property
    def phone(self) -> str:
        return sensitive.read_phone(self)

    def snapshot(self) -> dict[str, Any]:
        data = super().snapshot()
        data.pop("phone_store")
        data["phone"] = self.phone
        return data


class Source(models.Model):
    """A channel through which customers hear of the company (认知途径). The company edits the
    list; ``active``: offered for new customers (customers keep one switched off)."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = pgettext_lazy("model", "认知途径")
        verbose_name_plural = pgettext_lazy("model plural", "认知途径")

    def __str__(self) -> str:
        return self.name


class GradePolicy(models.Model):
    """One row of the company's grade table: how often a grade is followed up (意向客户分级)."""

    grade = models.CharField(_("级别"), max_length=1, choices=Grade.choices, primary_key=True)
    description = models.CharField(_("说明"), max_length=100)
    cadence_days = models.PositiveSmallIntegerField(_("跟进周期（天）"))
    deal_within_days = models.PositiveSmallIntegerField(
        _("预计成交（天内）"), null=True, blank=True
    )
    sort = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort"]
        verbose_name = pgettext_lazy("model", "意向级别设置")
        verbose_name_plural = pgettext_lazy("model plural", "意向级别设置")

    def __str__(self) -> str:
        return f"{self.grade}: {self.cadence_days}"


class LifecycleSettings(models.Model):
    """Company-wide follow-up settings (a single row, pk=1)."""

    missed_grace_hours = models.PositiveSmallIntegerField(_("计划逾期宽限（小时）"), default=24)
    callback_days = models.CharField(
        _("成交后回访（天，逗号分隔）"), max_length=100, default="1,7,30,90"
    )
    # 战败申请: a rep's defeat waits for the manager's approval (as dealers run it)
    defeat_needs_approval = models.BooleanField(_("战败须经理审批"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "跟进设置")
        verbose_name_plural = pgettext_lazy("model plural", "跟进设置")

    def __str__(self) -> str:
        return "lifecycle settings"

    @property
    def callback_offsets(self) -> list[int]:
        return sorted({int(d) for d in self.callback_days.split(",") if d.strip().isdigit()})


class DefeatReason(models.Model):
    """A configurable reason of defeat (战败原因)."""

    name = models.CharField(_("原因"), max_length=50, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = pgettext_lazy("model", "战败原因")
        verbose_name_plural = pgettext_lazy("model plural", "战败原因")

    def __str__(self) -> str:
        return self.name


class LifecycleEvent(models.Model):
    """A category or grade change of a customer, with its reason (the reports count these)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lifecycle")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    from_category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    to_category = models.CharField(max_length=12, choices=Category.choices)
    from_grade = models.CharField(max_length=1, choices=Grade.choices, blank=True)
    to_grade = models.CharField(max_length=1, choices=Grade.choices, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)

    # an event counts for the owner (and department) the customer had at the time
    policy = Policy(owner="owner", department="department")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "at"]),
            models.Index(fields=["owner", "at"]),
            models.Index(fields=["department", "at"]),
        ]
        verbose_name = pgettext_lazy("model", "客户状态变更")
        verbose_name_plural = pgettext_lazy("model plural", "客户状态变更")

    def __str__(self) -> str:
        before, after = (
            f"{self.from_category}{self.from_grade}",
            f"{self.to_category}{self.to_grade}",
        )
        return f"{self.customer_id}: {before} → {after}"


class Competitor(models.Model):
    """A competitor's brand and model as the company's defeat analyses name them (竞品). The list
    grows as people type (crm.customers.competitors): one brand has one spelling, so the defeat
    report does not split 丰田 into ＴＯＹＯＴＡ, toyota and Toyota."""

    brand = models.CharField(_("竞品品牌"), max_length=50)
    model = models.CharField(_("竞品车型/型号"), max_length=50, blank=True, default="")
    brand_key = models.CharField(max_length=50, editable=False)
    model_key = models.CharField(max_length=50, editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brand", "model"]
        constraints = [
            models.UniqueConstraint(fields=["brand_key", "model_key"], name="competitor_unique")
        ]
        verbose_name = pgettext_lazy("model", "竞品")
        verbose_name_plural = pgettext_lazy("model plural", "竞品")

    def __str__(self) -> str:
        return f"{self.brand} {self.model}".strip()


class DefeatAnalysis(models.Model):
    """战败客户分析表: why the customer was lost, to whom, and what was tried."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="defeats")
    event = models.OneToOneField(LifecycleEvent, on_delete=models.CASCADE, related_name="defeat")
    reason = models.ForeignKey(DefeatReason, on_delete=models.PROTECT, verbose_name=_("战败原因"))
    competitor_brand = models.CharField(_("竞品品牌"), max_length=50, blank=True)
    competitor_model = models.CharField(_("竞品车型/型号"), max_length=50, blank=True)
    tried = models.TextField(_("采取过的挽回措施"))
    manager_comment = models.TextField(_("经理意见"), blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "战败分析")
        verbose_name_plural = pgettext_lazy("model plural", "战败分析")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.reason_id}"


class CustomerSearch(models.Model):
    """The search index row of one customer.

    On SQLite this is an FTS5 virtual table, on PostgreSQL a table with a GIN-indexed tsvector;
    both are created by migration 0002 and written only by ``crm.customers.search``. Django knows
    the table so that test flushes clear it; it never reads its other columns.
    """

    customer = models.OneToOneField(
        Customer,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        db_table = "customers_search"

    def __str__(self) -> str:
        return str(self.pk)


class SavedView(TimeStampedModel):
    """A view of the customer list a user saved (筛选 + 排序 + 列): its ``params`` are the list's
    query (crm.customers.views.VIEW_PARAMS), its ``columns`` the columns shown. Shared, it is
    readable (not changeable) by the owner's department: ``department`` is set only then."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=30)
    params = models.JSONField(default=dict)
    columns = models.JSONField(default=list)

    # a user's own rows; shared ones are read by the department through ``department``
    policy = Policy(owner="owner", department="department")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name")
        ]
        indexes = [models.Index(fields=["department"], name="savedview_department")]
        verbose_name = pgettext_lazy("model", "保存的视图")
        verbose_name_plural = pgettext_lazy("model plural", "保存的视图")

    def __str__(self) -> str:
        return self.name

    @property
    def shared(self) -> bool:
        return self.department_id is not None


class ListColumns(models.Model):
    """The columns a user chose for the customer list (remembered between visits)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    columns = models.JSONField(default=list)

    policy = Policy(owner="user")

    def __str__(self) -> str:
        return f"columns of {self.user_id}"


class CustomerShare(models.Model):
    """A customer shared with a colleague (客户共享): read-only or read-write, up to and including
    ``until`` (a day in the site's time zone). Afterwards it simply stops counting
    (crm.core.permissions reads ``until``); revoking deletes the row."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="customer_shares",
        verbose_name=_("共享给"),
    )
    mode = models.CharField(_("权限"), max_length=10, choices=ShareMode.choices)
    until = models.DateField(_("共享至"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("共享人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["until", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="customershare_unique"),
            models.CheckConstraint(
                condition=Q(mode__in=["read", "read_write"]), name="customershare_mode"
            ),
        ]
        # the scope asks "shared with me, until today or later"
        indexes = [models.Index(fields=["user", "until"], name="customershare_user_until")]
        verbose_name = pgettext_lazy("model", "客户共享")
        verbose_name_plural = pgettext_lazy("model plural", "客户共享")

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.user_id} ({self.mode}, {self.until})"

    def snapshot(self) -> dict[str, Any]:
        # named like the customer's other parts in its history (``plan.assignee``)
        return {
            "share.user": self.user_id,
            "share.mode": self.mode,
            "share.until": self.until.isoformat() if self.until else None,
        }
