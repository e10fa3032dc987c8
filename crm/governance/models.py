from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Append-only: bulk update and delete are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("AuditEvent is append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise TypeError("AuditEvent is append-only")


class AuditEvent(models.Model):
    """One entry of the operation log (操作日志) and the access log (查阅登记).

    Created only by ``crm.governance.audit.record``; never updated or deleted.
    """

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    verb = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    job_id = models.CharField("任务编号", max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("AuditEvent is append-only")
