"""Configurable forms (调查表, issue 10): a form the managers build of sections and questions,
filled per customer by the reps.

A ``Questionnaire`` is attached to customers of some categories (``applies_to``) and may be
meant for an event (a deal, a visit). What it asks lives in a ``FormVersion``: its sections and
questions. Versions are immutable once published: editing a published form starts a new draft
version (a copy), which is published in its turn; a ``Response`` keeps the version it was filled
in, so old answers still show with the questions they answered. One response per customer per
version; its ``Answer`` rows hold one value each (a ranked or multiple choice one row per chosen
option, ``position`` its rank), so that the analysis counts with SQL GROUP BY.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class Event(models.TextChoices):
    NONE = "none", _("不限")
    DEAL = "deal", _("成交时填写")
    VISIT = "visit", _("拜访、来访时填写")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RANKED = "ranked", _("排序选择（第一、第二、第三理由）")
    YESNO = "yesno", _("是/否")
    TABLE = "table", _("表格（多行）")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKED)


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("旧版本")


def new_key() -> str:
    """The key a section or question keeps through the versions it is copied into."""
    return secrets.token_hex(6)


class Questionnaire(models.Model):
    """A form: its name, whom it is for (customer categories, an event); its versions."""

    name = models.CharField(_("表单名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True, default="")
    applies_to = models.JSONField(_("适用客户类别"), default=list, blank=True)
    event = models.CharField(_("填写时机"), max_length=10, choices=Event.choices, default="none")
    # the industry template it was installed from (``templates_data``), blank: built by hand
    template = models.CharField(_("模板"), max_length=40, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    # forms are the company's: managing and filling are on/off actions (the customer's scope
    # decides whose forms one fills)
    policy = Policy()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = pgettext_lazy("model", "调查表")
        verbose_name_plural = pgettext_lazy("model plural", "调查表")

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    form = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    policy = Policy()

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="formversion_number_unique")
        ]
        verbose_name = pgettext_lazy("model", "表单版本")
        verbose_name_plural = pgettext_lazy("model plural", "表单版本")

    def __str__(self) -> str:
        return f"{self.form_id} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("分组标题"), max_length=100)
    key = models.CharField(max_length=12, default=new_key, editable=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    policy = Policy()

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = pgettext_lazy("model", "表单分组")
        verbose_name_plural = pgettext_lazy("model plural", "表单分组")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    key = models.CharField(max_length=12, default=new_key, editable=False)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    label = models.CharField(_("题目"), max_length=200)
    help = models.CharField(_("填写说明"), max_length=200, blank=True, default="")
    required = models.BooleanField(_("必填"), default=False)
    # the options of a choice question, in order (answers keep the option's text)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    # a ranked choice: how many reasons at most (第一、第二、第三理由 → 3)
    max_ranks = models.PositiveSmallIntegerField(_("最多排序项数"), null=True, blank=True)
    # a table: its columns (拜访计划表: 时间、拜访人、核心洽谈内容 …)
    columns = models.JSONField(_("表格列"), default=list, blank=True)

    policy = Policy()

    class Meta:
        ordering = ["version", "section__position", "position", "id"]
        verbose_name = pgettext_lazy("model", "表单题目")
        verbose_name_plural = pgettext_lazy("model plural", "表单题目")

    def __str__(self) -> str:
        return self.label

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class Response(models.Model):
    """One customer's answers to one version of a form."""

    form = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="questionnaire_responses",
        verbose_name=_("客户"),
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填写人"),
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    # whose a response is: its customer's
    policy = Policy(
        owner="customer__owner", department="customer__department", shared="customer__shares"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "version"], name="response_customer_version_unique"
            )
        ]
        indexes = [models.Index(fields=["form", "-id"]), models.Index(fields=["version", "id"])]
        verbose_name = pgettext_lazy("model", "调查表答卷")
        verbose_name_plural = pgettext_lazy("model plural", "调查表答卷")

    def __str__(self) -> str:
        return f"{self.form_id}/{self.customer_id}"


class Answer(models.Model):
    """One value of a response: the text (a choice's option, a date, 是/否, free text), the
    number, or a table's rows; ``position``: a ranked option's rank (1 = 第一), an option's
    order among several chosen, 0 otherwise."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=1000, blank=True, default="")
    number = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    rows = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["response", "question", "position"]
        # covering the analysis' GROUP BYs (question, value) and the scope's response filter:
        # the counts read the index alone
        indexes = [
            models.Index(
                fields=["question", "text", "position", "response"], name="answer_question_text"
            ),
            models.Index(fields=["question", "number", "response"], name="answer_question_number"),
        ]
        verbose_name = pgettext_lazy("model", "答案")
        verbose_name_plural = pgettext_lazy("model plural", "答案")

    def __str__(self) -> str:
        return self.text or str(self.number or "")
