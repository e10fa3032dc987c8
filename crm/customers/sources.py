"""认知途径 (how the customer heard of the company): a list the company edits (``Source`` rows,
on 设置 → 认知途径). A customer keeps the code of its source; a source switched off is not offered
for new customers but stays on those that have it.

``DEFAULT_SOURCES`` is what a new company starts with: the channels of the seed's registration
forms and today's online ones (the data migration 0013 loads the same list)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_GRADEPOLICY
from crm.core.errors import Invalid, NotFound
from crm.core.permissions import require
from crm.governance import audit

from .models import Source

DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("wechat", gettext_noop("微信")),
    ("douyin", gettext_noop("抖音")),
    ("autohome", gettext_noop("汽车之家")),
    ("dongchedi", gettext_noop("懂车帝")),
    ("beike", gettext_noop("贝壳")),
    ("58", gettext_noop("58同城")),
    ("old_customer", gettext_noop("老客户介绍")),
    ("referral", gettext_noop("亲友介绍")),
    ("newspaper", gettext_noop("报纸广告")),
    ("outdoor", gettext_noop("户外广告")),
    ("dm", gettext_noop("DM宣传单")),
    ("roadshow", gettext_noop("路演活动")),
    ("website", gettext_noop("公司网站")),
    ("property_site", gettext_noop("房地产网站")),
    ("journal", gettext_noop("专业刊物")),
    ("old_owner", gettext_noop("老业主")),
    ("tv", gettext_noop("电视广告")),
    ("other", gettext_noop("其它")),
)
NAME_MAX = 30


def source_list() -> QuerySet[Source]:
    """Every source, in the company's order (settings; labels of old customers)."""
    return Source.objects.all()


def active_sources() -> QuerySet[Source]:
    """The sources offered for a new customer."""
    return Source.objects.filter(active=True)


_SHIPPED = dict(DEFAULT_SOURCES)


def label(source: Source) -> str:
    """The name to show: a shipped source under its shipped name speaks the reader's language
    (as a shipped role does); a name the company chose is shown as entered."""
    return label_of(source.code, source.name)


def label_of(code: str, name: str) -> str:
    return _(name) if _SHIPPED.get(code) == name else name


def source_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Each source's name to show, by code (one small query; none for no ``codes``)."""
    rows = Source.objects.all()
    if codes is not None:
        wanted = {c for c in codes if c}
        if not wanted:
            return {}
        rows = rows.filter(code__in=wanted)
    return {code: label_of(code, name) for code, name in rows.values_list("code", "name")}


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
