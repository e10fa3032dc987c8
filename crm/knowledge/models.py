"""The knowledge base (知识管理): answers to the questions customers ask (答客问) and the sales
talk (销讲), in categories and with tags, searched by every member of staff and edited by the
managers. An article is referred to by its id (``ZS000012``), e.g. from a complaint."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class Category(models.Model):
    name = models.CharField(_("分类名称"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    policy = Policy()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = pgettext_lazy("model", "知识分类")
        verbose_name_plural = pgettext_lazy("model plural", "知识分类")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One question and its answer."""

    title = models.CharField(_("客户问题"), max_length=200)
    answer = models.TextField(_("解答"))
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("分类"),
    )
    # the tags as typed, for display; ``ArticleTag`` rows are what the filter reads
    tags = models.JSONField(_("标签"), default=list, blank=True)
    views = models.PositiveIntegerField(_("查看次数"), default=0)
    archived = models.BooleanField(_("已停用"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    # the company's: reading and editing are on/off actions
    policy = Policy()

    class Meta:
        ordering = ["-views", "-id"]
        indexes = [models.Index(fields=["archived", "category", "-views"], name="article_list")]
        verbose_name = pgettext_lazy("model", "知识条目")
        verbose_name_plural = pgettext_lazy("model plural", "知识条目")

    def __str__(self) -> str:
        return f"{self.number} {self.title[:40]}"

    @property
    def number(self) -> str:
        return f"ZS{self.pk:06d}"

    def snapshot(self) -> dict[str, object]:
        return {
            "title": self.title,
            "answer": self.answer,
            "category": self.category_id,
            "tags": list(self.tags),
            "archived": self.archived,
        }


class ArticleTag(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tag_rows")
    name = models.CharField(_("标签"), max_length=30)

    class Meta:
        ordering = ["article", "name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "name"], name="articletag_unique")
        ]
        indexes = [models.Index(fields=["name", "article"], name="articletag_name")]
        verbose_name = pgettext_lazy("model", "知识标签")
        verbose_name_plural = pgettext_lazy("model plural", "知识标签")

    def __str__(self) -> str:
        return self.name
