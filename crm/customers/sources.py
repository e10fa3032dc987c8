"""认知途径 (how the customer heard of the company): a list the company edits (``Source`` rows,
on 设置 → 认知途径). A customer keeps the code of its source; a source switched off is not offered
for new customers but stays on those that have it.

``DEFAULT_SOURCES`` is what a new company starts with: the channels of the seed's registration
forms and today's online ones (the data migration 0013 loads the same list)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_GRADEPOLICY
from crm.core.errors import Invalid, NotFound
from crm.core.permissions import require
from crm.governance import audit

from .models import Source

DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("wechat", "微信"),
    ("douyin", "抖音"),
    ("autohome", "汽车之家"),
    ("dongchedi", "懂车帝"),
    ("beike", "贝壳"),
    ("58", "58同城"),
    ("old_customer", "老客户介绍"),
    ("referral", "亲友介绍"),
    ("newspaper", "报纸广告"),
    ("outdoor", "户外广告"),
    ("dm", "DM宣传单"),
    ("roadshow", "路演活动"),
    ("website", "公司网站"),
    ("property_site", "房地产网站"),
    ("journal", "专业刊物"),
    ("old_owner", "老业主"),
    ("tv", "电视广告"),
    ("other", "其它"),
)
NAME_MAX = 30


def source_list() -> QuerySet[Source]:
    """Every source, in the company's order (settings; labels of old customers)."""
    return Source.objects.all()


def active_sources() -> QuerySet[Source]:
    """The sources offered for a new customer."""
    return Source.objects.filter(active=True)


def source_names() -> dict[str, str]:
    """Each source's name by code (one small query)."""
    return dict(Source.objects.values_list("code", "name"))


def source_error(code: str, *, current: str = "") -> str:
    """Why ``code`` may not be given to a customer whose source is ``current`` now, or ``""``:
    an unknown code, or one switched off (unless the customer has it already)."""
    if not code or code == current:
        return ""
    source = Source.objects.filter(code=code).first()
    if source is None:
        return _("不是有效的选项")
    if not source.active:
        return _("该认知途径已停用")
    return ""


def _snapshot(source: Source) -> dict[str, object]:
    return {"name": source.name, "order": source.order, "active": source.active}


def _clean_name(name: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise Invalid(fields={"name": _("请填写认知途径名称")})
    if len(name) > NAME_MAX:
        raise Invalid(fields={"name": _("不能超过 %(n)d 个字") % {"n": NAME_MAX}})
    same = Source.objects.filter(name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise Invalid(fields={"name": _("已有同名的认知途径")})
    return name


@transaction.atomic
def source_create(*, actor: User, name: str, order: int | None = None) -> Source:
    """A new source (the one who manages the company's settings, as for the grade table)."""
    require(actor, CHANGE_GRADEPOLICY)
    name = _clean_name(name)
    last = Source.objects.aggregate(m=Max("order"), n=Max("id"))
    if order is None:
        order = (last["m"] or 0) + 1
    number = (last["n"] or 0) + 1
    while Source.objects.filter(code=f"s{number}").exists():
        number += 1
    source = Source.objects.create(code=f"s{number}", name=name, order=order)
    audit.record(actor=actor, verb="source.created", obj=source, after=_snapshot(source))
    return source


@transaction.atomic
def source_update(*, actor: User, source_id: int, name: str, order: int, active: bool) -> Source:
    """Rename, reorder, switch a source on or off (customers keep theirs)."""
    require(actor, CHANGE_GRADEPOLICY)
    source = Source.objects.select_for_update().filter(pk=source_id).first()
    if source is None:
        raise NotFound()
    before = _snapshot(source)
    source.name, source.order, source.active = _clean_name(name, exclude=source.pk), order, active
    source.save()
    after = _snapshot(source)
    if after != before:
        audit.record(actor=actor, verb="source.changed", obj=source, before=before, after=after)
    return source
