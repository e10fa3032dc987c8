"""Customer imports (客户导入): one ``ImportJob`` per uploaded file, one ``ImportRow`` per data
row the run has dealt with (created, updated, skipped or failed), and the named column mappings
users keep (``SavedMapping``).

``ImportRow`` is the checkpoint: its unique (job, row) makes a resumed run unable to write a row
twice, and the customers an import created are found through it (for the undo), without a field
on the customer itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class JobState(models.TextChoices):
    CHECKING = "checking", _("预检中")  # a large file's dry run, in the background
    READY = "ready", _("待导入")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    FAILED = "failed", _("中断")
    UNDONE = "undone", _("已撤销")


class Target(models.TextChoices):
    """What a file's rows become: customers, or the contacts, follow-up records or past
    purchases (a shop's order history) of customers already in the system (each row names its
    customer)."""

    CUSTOMERS = "customers", _("客户")
    CONTACTS = "contacts", _("联系人")
    FOLLOWUPS = "followups", _("跟进记录")
    PURCHASES = "purchases", _("购买记录")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("跳过重复客户")
    UPDATE = "update", _("更新已有客户")
    NEW = "new", _("作为新客户导入（关联已有客户）")


class Outcome(models.TextChoices):
    CREATED = "created", _("新建")
    UPDATED = "updated", _("更新")
    SKIPPED = "skipped", _("跳过")
    FAILED = "failed", _("失败")


def _upload_path(job: ImportJob, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{filename}"


class ImportJob(models.Model):
    """One uploaded file and what became of it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("导入人"),
    )
    # the importer's department when uploaded: its managers and directors see the import
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    target = models.CharField(
        _("导入内容"), max_length=10, choices=Target.choices, default=Target.CUSTOMERS
    )
    file = models.FileField(_("文件"), upload_to=_upload_path, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    header_row = models.PositiveIntegerField(_("表头行"), default=1)
    headers = models.JSONField(_("表头"), default=list)
    # column index (as text) → customer field; a column left out is not imported
    mapping = models.JSONField(_("列对应"), default=dict)
    duplicates = models.CharField(
        _("重复客户"), max_length=8, choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
    )
    dry_run = models.JSONField(_("预检结果"), default=dict)
    # which dry run is current: a correction of the mapping while a large file is checked in
    # the background starts a new one, and the older one stops at its next batch
    check_token = models.PositiveIntegerField(default=0)
    state = models.CharField(
        _("状态"), max_length=10, choices=JobState.choices, default=JobState.READY
    )
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    done_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("新建"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    failed_count = models.PositiveIntegerField(_("失败"), default=0)
    # the last spreadsheet row of the last committed batch: a resumed run starts after it
    checkpoint = models.PositiveIntegerField(_("检查点"), default=0)
    cancel_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undo_removed = models.PositiveIntegerField(_("撤销删除"), default=0)
    undo_kept = models.PositiveIntegerField(_("撤销保留"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True, default="")

    policy = Policy(owner="created_by", department="department")

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "客户导入")
        verbose_name_plural = pgettext_lazy("model plural", "客户导入")

    def __str__(self) -> str:
        return f"{self.number} {self.file_name}"

    @property
    def number(self) -> str:
        return f"DR{self.pk:06d}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state == JobState.DONE else 0
        return min(100, self.done_rows * 100 // self.total_rows)

    @property
    def rate(self) -> float:
        """Rows per second since the run started."""
        if not self.started_at or not self.done_rows:
            return 0.0
        end = self.finished_at or timezone.now()
        seconds = max((end - self.started_at).total_seconds(), 0.001)
        return self.done_rows / seconds

    @property
    def eta_seconds(self) -> int | None:
        rate = self.rate
        if self.state != JobState.RUNNING or not rate:
            return None
        return int((self.total_rows - self.done_rows) / rate)


class ImportRow(models.Model):
    """One data row of an import, once dealt with; ``row`` is its number in the spreadsheet."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客户"),
    )
    # the existing customer a duplicate row was skipped for, updated or linked to
    existing = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("已有客户"),
    )
    # the contact or follow-up record a row of such an import created
    object_id = models.PositiveBigIntegerField(_("新建记录"), null=True, blank=True)
    column = models.CharField(_("列"), max_length=100, blank=True, default="")
    message = models.CharField(_("原因"), max_length=500, blank=True, default="")
    # a failed row's cells as read (for the error file)
    values = models.JSONField(_("原始数据"), default=list, blank=True)

    class Meta:
        ordering = ["job", "row"]
        verbose_name = pgettext_lazy("model", "导入行")
        verbose_name_plural = pgettext_lazy("model plural", "导入行")
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="import_row_once"),
        ]
        indexes = [models.Index(fields=["job", "outcome", "row"], name="import_row_outcome")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.outcome}"


class SavedMapping(models.Model):
    """A named column mapping a user keeps for the next file of the same shape: header text →
    customer field."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    name = models.CharField(_("名称"), max_length=50)
    columns = models.JSONField(_("列对应"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    # a mapping is its user's
    policy = Policy(owner="user")

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("model", "列对应方案")
        verbose_name_plural = pgettext_lazy("model plural", "列对应方案")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_mapping_name_once"),
        ]

    def __str__(self) -> str:
        return self.name
