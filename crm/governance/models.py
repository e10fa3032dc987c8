from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Append-only: bulk update and delete are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("AuditEvent is append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise TypeError("AuditEvent is append-only")


class AuditEvent(models.Model):
    """One entry of the operation log (操作日志) and the access log (查阅登记).

    Created only by ``crm.governance.audit.record``; never updated or deleted, except that the
    sealer (``crm.governance.chain``) fills ``chain_seq`` and ``chain_hash`` once. On PostgreSQL a
    trigger enforces this (migration 0005).
    """

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # (actor, id) below serves both
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    verb = models.CharField(_("动作"), max_length=64)  # indexed with id below
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    # of a read: a list's filter and how many rows it returned
    details = models.JSONField(_("查询条件"), default=dict, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    job_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    # the hash chain (crm.governance.chain): written once by the sealer, NULL until then
    chain_seq = models.BigIntegerField(
        _("链序号"), null=True, blank=True, unique=True, editable=False
    )
    chain_hash = models.BinaryField(_("链哈希"), null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    # an event is its actor's: the operation log in scope is the events of the people in scope
    policy = Policy(owner="actor", department="actor__department")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"]),
            # the audit viewer's keyset pages by actor and by verb
            models.Index(fields=["actor", "id"], name="audit_actor_id"),
            models.Index(fields=["verb", "id"], name="audit_verb_id"),
            # the sealer's queue: the entries not yet in the chain
            models.Index(
                fields=["id"], condition=models.Q(chain_seq__isnull=True), name="audit_unsealed"
            ),
        ]
        verbose_name = pgettext_lazy("model", "审计日志")
        verbose_name_plural = pgettext_lazy("model plural", "审计日志")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("AuditEvent is append-only")


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    FAILED = "failed", _("批准后未能执行")


class ApprovalRequest(models.Model):
    """A change that waits for someone else's decision (separation of duties).

    ``kind`` names the handler that carries the change out when it is approved
    (crm.governance.approvals); ``payload`` is what the requester asked for, applied exactly as
    asked. ``approve_action`` is the action a decider must hold; the requester never decides their
    own request. Created and decided only by crm.governance.approvals.
    """

    kind = models.CharField(_("类型"), max_length=50)
    title = models.CharField(_("事项"), max_length=200)
    payload = models.JSONField(_("内容"), default=dict)
    approve_action = models.CharField(_("审批所需权限"), max_length=64)
    state = models.CharField(
        _("状态"), max_length=10, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )
    reason = models.CharField(_("申请说明"), max_length=500, blank=True)
    # the record the request is about (a customer …): deciders must hold ``approve_action`` over it
    subject_type = models.CharField(_("对象类型"), max_length=64, blank=True, default="")
    subject_id = models.CharField(_("对象编号"), max_length=64, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    # the step waiting for a decision (1-based; the last one decided once the request is closed)
    current_step = models.PositiveSmallIntegerField(_("当前步骤"), default=1)

    # a request is its requester's; deciders reach pending requests through the approve action
    policy = Policy(owner="requested_by")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "approve_action", "id"]),
            models.Index(fields=["subject_type", "subject_id", "state"]),
        ]
        verbose_name = pgettext_lazy("model", "审批申请")
        verbose_name_plural = pgettext_lazy("model plural", "审批申请")

    def __str__(self) -> str:
        return self.title


class FieldGroupLevel(models.Model):
    """The confidentiality level (密级) the data administrator set for one field group
    (crm.governance.confidentiality.FIELD_GROUPS); a group without a row has its default."""

    group = models.CharField(_("字段组"), max_length=30, primary_key=True)
    level = models.PositiveSmallIntegerField(_("密级"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "字段密级")
        verbose_name_plural = pgettext_lazy("model plural", "字段密级")

    def __str__(self) -> str:
        return f"{self.group}: {self.level}"


class RoleClearance(models.Model):
    """How far a role is cleared: up to ``level`` over the customers of ``scope``, public fields
    only beyond it. A role without a row has its shipped default, or public."""

    role = models.OneToOneField(
        "accounts.Role",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="clearance",
        verbose_name=_("角色"),
    )
    level = models.PositiveSmallIntegerField(_("最高密级"))
    scope = models.CharField(_("适用范围"), max_length=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "角色密级")
        verbose_name_plural = pgettext_lazy("model plural", "角色密级")

    def __str__(self) -> str:
        return f"{self.role_id}: {self.level}/{self.scope}"


class StepState(models.TextChoices):
    WAITING = "waiting", _("未开始")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ApprovalStep(models.Model):
    """One step of a request's chain, decided in order (crm.governance.approvals).

    Who decides: the holders of ``action`` (over the request's subject, when it has one), the
    users of ``role``, or both; with ``head_department`` only those of that department (the head of
    the requester's department: the nearest department above the requester that has someone of
    ``role``, fixed when the request was filed). Created and decided only by the engine."""

    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("申请")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("步骤"), max_length=50)
    action = models.CharField(_("审批所需权限"), max_length=64, blank=True, default="")
    role = models.CharField(_("审批角色"), max_length=30, blank=True, default="")
    head_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审批部门"),
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=StepState.choices, default=StepState.WAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    note = models.CharField(_("审批意见"), max_length=500, blank=True)

    # a step is read with its request (its requester's; deciders through the engine)
    policy = Policy(owner="request__requested_by")

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="approval_step_position")
        ]
        indexes = [models.Index(fields=["state", "role", "head_department"])]
        verbose_name = pgettext_lazy("model", "审批步骤")
        verbose_name_plural = pgettext_lazy("model plural", "审批步骤")

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.label}"
