"""Orders (客户订购登记表), their contract review (合同评审表, 与顾客有关的过程控制程序 ISO 13485),
the written confirmation of a verbal order, distributors' medical-device business licences and
the payment plan with its receipts (回款).

An order's rows are its customer's: whoever owns the customer (or manages its department) works
its orders; they follow the customer to a new owner. States: draft → review (the five
departments review, then the general manager signs) → confirmed → delivered → closed; or
cancelled. A change to a confirmed order sends it back to review.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy
from crm.core.regions import currency_choices

CUSTOMER_POLICY = Policy(owner="customer__owner", department="customer__department")
ORDER_POLICY = Policy(owner="order__customer__owner", department="order__customer__department")


class OrderState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("合同评审中")
    CONFIRMED = "confirmed", _("已确认")
    DELIVERED = "delivered", _("已交付")
    CLOSED = "closed", pgettext_lazy("order", "已关闭")
    CANCELLED = "cancelled", _("已取消")


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("线上支付")
    TRANSFER = "transfer", _("银行转账")
    CASH = "cash", _("现金支付")


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"


class Order(TimeStampedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("客户"),
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.DRAFT
    )
    # the opportunity it came from (赢单 → 订单), when it did
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("销售机会"),
    )
    verbal = models.BooleanField(_("口头订单"), default=False)
    order_date = models.DateField(_("订单日期"))
    expected_delivery = models.DateField(_("期望交付日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, default="")
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, default="")
    contact_email = models.CharField(_("电子邮箱"), max_length=254, blank=True, default="")
    payment_method = models.CharField(
        _("付款方式"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    by_instalments = models.BooleanField(_("分期付款"), default=False)
    # 开票信息
    invoice_company = models.CharField(_("开票公司名称"), max_length=100, blank=True, default="")
    invoice_tax_id = models.CharField(_("纳税人识别号"), max_length=18, blank=True, default="")
    invoice_address = models.CharField(_("公司地址"), max_length=200, blank=True, default="")
    invoice_phone = models.CharField(_("开票电话"), max_length=20, blank=True, default="")
    invoice_bank = models.CharField(_("开户银行"), max_length=100, blank=True, default="")
    invoice_account = models.CharField(_("银行账号"), max_length=40, blank=True, default="")
    # 外贸
    currency = models.CharField(_("币种"), max_length=3, choices=currency_choices, default="CNY")
    incoterm = models.CharField(
        _("贸易术语"), max_length=3, choices=Incoterm.choices, blank=True, default=""
    )
    port = models.CharField(_("港口"), max_length=100, blank=True, default="")
    sample_sent = models.BooleanField(_("已寄样"), default=False)
    style_number = models.CharField(_("款号"), max_length=50, blank=True, default="")
    notes = models.TextField(_("其他备注"), blank=True, default="")
    total = models.DecimalField(_("订单金额"), max_digits=16, decimal_places=2, default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    # the last refusal (a review, the signature) that sent it back to draft
    returned_note = models.CharField(_("退回意见"), max_length=1000, blank=True, default="")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True, default="")
    # who sold it, as at its signature (销售统计): the customer's owner, their department and the
    # customer's source then. A sale stays its seller's when the customer changes hands later.
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("成交销售"),
    )
    sold_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("成交部门"),
    )
    source = models.CharField(_("认知途径"), max_length=20, blank=True, default="")
    # the number the purchase has elsewhere (a shop's 订单号): a past purchase recorded here
    external_number = models.CharField(_("外部单号"), max_length=50, blank=True, default="")

    policy = CUSTOMER_POLICY

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "id"]),
            models.Index(fields=["state", "id"]),
            models.Index(fields=["order_date"]),
            # the sales statistics read a period of signed orders
            models.Index(
                fields=["confirmed_on", "currency"],
                name="order_sold",
                condition=models.Q(confirmed_on__isnull=False),
            ),
        ]
        verbose_name = pgettext_lazy("model", "订单")
        verbose_name_plural = pgettext_lazy("model plural", "订单")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"SO{self.pk or 0:06d}"

    @property
    def editable(self) -> bool:
        return self.state in (OrderState.DRAFT, OrderState.CONFIRMED)

    @property
    def foreign_trade(self) -> bool:
        return bool(self.incoterm or self.port or self.currency != "CNY")


SOLD = (OrderState.CONFIRMED, OrderState.DELIVERED, OrderState.CLOSED)
SALE_POLICY = Policy(owner="sold_by", department="sold_department")


class Sale(Order):
    """A signed order as a sale (销售统计): its rows are its seller's and the seller's
    department's at the signature, not the customer's owner's today. A manager's statistics
    keep the sales their department made; a rep's, their own."""

    policy = SALE_POLICY

    class Meta:
        proxy = True
        verbose_name = pgettext_lazy("model", "销售业绩")
        verbose_name_plural = pgettext_lazy("model plural", "销售业绩")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品")
    )
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    size = models.CharField(_("尺寸"), max_length=100, blank=True, default="")
    colour = models.CharField(_("颜色"), max_length=50, blank=True, default="")
    customisation = models.CharField(_("定制要求"), max_length=500, blank=True, default="")

    policy = ORDER_POLICY

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_qty_gt_0"),
        ]
        verbose_name = pgettext_lazy("model", "订单明细")
        verbose_name_plural = pgettext_lazy("model plural", "订单明细")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.position}"


class ReviewArea(models.TextChoices):
    """Who reviews what (与顾客有关的过程控制程序 4.2), in the form's order."""

    CAPACITY = "capacity", _("综合生产能力（PMC）")
    QUALITY = "quality", _("产品验收标准（品质部）")
    TECHNICAL = "technical", _("技术标准与环保要求（研发部）")
    EQUIPMENT = "equipment", _("生产能力与设备能力（生产部）")
    MATERIAL = "material", _("原材料采购周期（采购部）")


class RoundState(models.TextChoices):
    REVIEWING = "reviewing", _("部门评审中")
    AWAITING_CONFIRMATION = "awaiting", _("待书面确认")
    SIGNING = "signing", _("待总经理签署")
    REVIEWED = "reviewed", _("评审通过，待重新提交签署")
    SIGNED = "signed", _("已签署")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class ContractReview(models.Model):
    """One 合同评审表: the requirements the order was submitted with (5.1.1–5.1.4), the five
    departments' reviews and the general manager's signature. An order reviewed again (after a
    refusal or a change to a confirmed order) gets a new round; the old ones stay."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("评审轮次"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RoundState.choices, default=RoundState.REVIEWING
    )
    # 5.1.1 顾客明示的要求
    stated_quality = models.TextField(_("质量要求"), blank=True, default="")
    stated_usability = models.TextField(_("可用性要求"), blank=True, default="")
    stated_delivery = models.TextField(_("交付要求"), blank=True, default="")
    stated_transport = models.TextField(_("运输要求"), blank=True, default="")
    stated_warranty = models.TextField(_("保修要求"), blank=True, default="")
    stated_training = models.TextField(_("培训要求"), blank=True, default="")
    stated_price = models.TextField(_("价格要求"), blank=True, default="")
    # 5.1.2 隐含要求, 5.1.3 法律法规要求, 5.1.4 公司附加要求
    implied = models.TextField(_("隐含要求"), blank=True, default="")
    statutory = models.TextField(_("法律法规要求（环保、无铅等）"), blank=True, default="")
    lead_free = models.BooleanField(_("无铅要求"), default=False)
    company_terms = models.TextField(_("公司附加要求（付款方式和期限等）"), blank=True, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    approval = models.ForeignKey(
        "governance.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("签署人"),
    )
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    sign_note = models.CharField(_("签署意见"), max_length=500, blank=True, default="")

    policy = ORDER_POLICY

    class Meta:
        ordering = ["order", "round"]
        constraints = [
            models.UniqueConstraint(fields=["order", "round"], name="contract_review_round")
        ]
        verbose_name = pgettext_lazy("model", "合同评审")
        verbose_name_plural = pgettext_lazy("model plural", "合同评审")

    def __str__(self) -> str:
        return f"{self.order_id}#{self.round}"


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待评审")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")
    SKIPPED = "skipped", _("未评审（已退回）")


class ReviewRow(models.Model):
    """One department's review of one round: approve or reject, with its comment."""

    review = models.ForeignKey(ContractReview, on_delete=models.CASCADE, related_name="rows")
    area = models.CharField(_("评审内容"), max_length=10, choices=ReviewArea.choices)
    state = models.CharField(
        _("结论"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    note = models.CharField(_("评审意见"), max_length=1000, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("评审人"),
    )
    decided_at = models.DateTimeField(_("评审时间"), null=True, blank=True)

    policy = Policy(
        owner="review__order__customer__owner", department="review__order__customer__department"
    )

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "area"], name="review_row_area"),
        ]
        indexes = [models.Index(fields=["area", "state"])]
        verbose_name = pgettext_lazy("model", "部门评审")
        verbose_name_plural = pgettext_lazy("model plural", "部门评审")

    def __str__(self) -> str:
        return f"{self.review_id}:{self.area}"


class FileKind(models.TextChoices):
    EMAIL = "email", _("邮件确认")
    CONTRACT = "contract", _("回签合同")
    OTHER = "other", _("其他文件")


def _file_path(instance: OrderFile, filename: str) -> str:
    """A random name (the original is kept in ``name``): nothing typed becomes part of a path."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    suffix = suffix if suffix.isascii() and suffix.isalnum() and len(suffix) <= 5 else "bin"
    return f"orders/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class OrderFile(models.Model):
    """A written confirmation of an order (an e-mail, the countersigned contract) or another of
    its documents (PO, drawings, BOM: 5.1.6)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("文件类型"), max_length=10, choices=FileKind.choices)
    file = models.FileField(_("文件"), upload_to=_file_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    policy = ORDER_POLICY

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "订单文件")
        verbose_name_plural = pgettext_lazy("model plural", "订单文件")

    def __str__(self) -> str:
        return self.name

    @property
    def confirms(self) -> bool:
        """Whether it is a written confirmation of a verbal order (5.1.7)."""
        return self.kind in (FileKind.EMAIL, FileKind.CONTRACT)


class LicenceKind(models.TextChoices):
    LICENCE = "licence", _("医疗器械经营许可证")
    RECORD = "record", _("第二类医疗器械经营备案凭证")


class MedicalLicence(TimeStampedModel):
    """A distributor's or agent's medical-device business licence (or record): its number, the
    device classes and classification codes of its scope (经营范围) and its expiry (5.1.5)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="medical_licences",
        verbose_name=_("客户"),
    )
    kind = models.CharField(
        _("证照类型"), max_length=10, choices=LicenceKind.choices, default=LicenceKind.LICENCE
    )
    number = models.CharField(_("许可证编号"), max_length=60)
    classes = models.JSONField(_("经营范围（管理类别）"), default=list)
    codes = models.JSONField(_("经营范围（分类编码）"), default=list, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    policy = Policy(
        owner="customer__owner", department="customer__department", shared="customer__shares"
    )

    class Meta:
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["customer", "expires_on"])]
        verbose_name = pgettext_lazy("model", "医疗器械经营许可证")
        verbose_name_plural = pgettext_lazy("model plural", "医疗器械经营许可证")

    def __str__(self) -> str:
        return self.number

    def covers(self, device_class: str, device_code: str) -> bool:
        """Whether its scope covers a product of ``device_class`` (and ``device_code``, when the
        licence lists codes and the product has one)."""
        if device_class not in self.classes:
            return False
        if self.codes and device_code:
            return any(device_code.startswith(str(c)) for c in self.codes)
        return True


class Instalment(models.Model):
    """One instalment of an order's payment plan (回款计划)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="instalments")
    position = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("应收日期"))
    amount = models.DecimalField(_("应收金额"), max_digits=16, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    policy = ORDER_POLICY

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="instalment_position"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_gt_0"),
        ]
        indexes = [models.Index(fields=["due_on"])]
        verbose_name = pgettext_lazy("model", "回款计划")
        verbose_name_plural = pgettext_lazy("model plural", "回款计划")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.position}"


class Receipt(models.Model):
    """Money received against an order (回款), booked to the earliest instalments still open."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="receipts")
    received_on = models.DateField(_("到账日期"))
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    method = models.CharField(
        _("付款方式"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    policy = ORDER_POLICY

    class Meta:
        ordering = ["order", "received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="receipt_gt_0"),
        ]
        indexes = [models.Index(fields=["received_on"])]
        verbose_name = pgettext_lazy("model", "回款")
        verbose_name_plural = pgettext_lazy("model plural", "回款")

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount}"


class PropertyStage(models.TextChoices):
    """A property sale's way to its registration (房地产: 认购 → 合同 → 按揭 → 备案)."""

    SUBSCRIPTION = "subscription", _("认购")
    CONTRACT = "contract", _("签约")
    MORTGAGE = "mortgage", _("按揭")
    FILING = "filing", _("备案")


class PropertyStep(models.Model):
    """One step of a property sale reached, on its day (the sales supervisor follows 认购,
    合同, 按揭进程 and 备案 of each sale). A buyer paying at once skips 按揭."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="property_steps")
    stage = models.CharField(_("进度"), max_length=12, choices=PropertyStage.choices)
    done_on = models.DateField(_("办理日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    policy = ORDER_POLICY

    class Meta:
        ordering = ["order", "done_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "stage"], name="property_step_once"),
        ]
        verbose_name = pgettext_lazy("model", "房产成交进度")
        verbose_name_plural = pgettext_lazy("model plural", "房产成交进度")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.stage}"
