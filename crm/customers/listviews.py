"""The customer list as each user works from it: the columns they chose (remembered), the
built-in views (我的逾期, 本周新增, H级未跟进) and the views they saved (筛选 + 排序 + 列), which
a manager may share with their department (read-only for the others).

A saved view holds the list's query (``VIEW_PARAMS``), never customers: applying it goes through
the list's own ``restrict``, so a shared view shows each colleague their own scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from crm.accounts.models import User
from crm.accounts.roles import VIEW_CUSTOMER
from crm.core.errors import Duplicate, Invalid, NotFound, PermissionDenied
from crm.core.permissions import Scope, in_departments, mine, require, scope_of
from crm.governance import audit

from .models import ListColumns, SavedView

# the list's optional columns, in their order (编号 and 名称 always show)
COLUMNS = (
    "phone",
    "category",
    "grade",
    "owner",
    "tags",
    "last_contact",
    "next_due",
    "created",
    "updated",
)
DEFAULT_COLUMNS = ("phone", "category", "grade", "owner", "tags", "last_contact", "next_due")
COLUMN_LABELS = {
    "phone": gettext_lazy("电话"),
    "category": gettext_lazy("类别"),
    "grade": gettext_lazy("级别"),
    "owner": gettext_lazy("负责人"),
    "tags": gettext_lazy("标签"),
    "last_contact": gettext_lazy("最近跟进"),
    "next_due": gettext_lazy("下次跟进"),
    "created": gettext_lazy("创建时间"),
    "updated": gettext_lazy("更新时间"),
}
# the list's query a view keeps (crm.web.customers.forms.CustomerFilterForm.QUERY)
VIEW_PARAMS = (
    "q",
    "category",
    "grade",
    "owner",
    "tag",
    "follow",
    "created",
    "mine",
    "shared",
    "sort",
)
NAME_MAX = 30
VIEWS_MAX = 50  # a user's own saved views


@dataclass(frozen=True)
class Preset:
    """A built-in view, the same for everyone (each sees it within their own scope)."""

    key: str
    name: Any
    params: Mapping[str, str]


PRESETS = (
    Preset(
        "overdue",
        pgettext_lazy("view", "我的逾期"),
        {"mine": "1", "follow": "overdue", "sort": "next_due"},
    ),
    Preset(
        "new_this_week", pgettext_lazy("view", "本周新增"), {"created": "week", "sort": "-created"}
    ),
    # 客户共享: the customers colleagues share with one, newest first
    Preset("shared", pgettext_lazy("view", "共享给我的"), {"shared": "1"}),
    # H 级: due today or overdue (the 7-day cadence of H is the tightest), oldest due first
    Preset(
        "h_due",
        pgettext_lazy("view", "H级未跟进"),
        {"grade": "H", "follow": "due", "sort": "next_due"},
    ),
)


def clean_columns(columns: Any) -> list[str]:
    """The known columns among ``columns``, in the list's order; the default when none."""
    chosen = {c for c in columns or () if isinstance(c, str)}
    kept = [c for c in COLUMNS if c in chosen]
    return kept or list(DEFAULT_COLUMNS)


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The list's query among ``params`` (strings, empty ones left out)."""
    kept: dict[str, str] = {}
    for key in VIEW_PARAMS:
        value = params.get(key)
        if value in (None, "", False):
            continue
        kept[key] = "1" if value is True else str(value).replace("\x00", "")[:100]
    return kept


# Python splits on these too, the API's schema (``\S``, Unicode white space) does not
_SEPARATORS = "\x1c\x1d\x1e\x1f"


def squash(value: Any) -> str:
    """Text with its white space runs made one space and no NUL (PostgreSQL stores none); the
    information separators Python alone counts as white space are kept, as the schema does."""
    raw = str(value or "").replace("\x00", "")
    return " ".join(raw.split()) or "".join(c for c in raw if c in _SEPARATORS)


def _clean_name(name: Any) -> str:
    text = squash(name)
    if not text:
        raise Invalid(fields={"name": _("请填写视图名称")})
    if len(text) > NAME_MAX:
        raise Invalid(fields={"name": _("视图名称最多 %(n)s 个字") % {"n": NAME_MAX}})
    return text


def may_share(actor: User) -> bool:
    """Whether ``actor`` may share views with their department: one who reads the department's
    customers (a manager), not a rep who reads their own."""
    scope = scope_of(actor, VIEW_CUSTOMER)
    return actor.department_id is not None and Scope.rank(scope) >= Scope.rank(Scope.DEPARTMENT)


# --- reads ----------------------------------------------------------------------------------


def own_views(*, actor: User) -> QuerySet[SavedView]:
    return mine(SavedView.objects.all(), actor)


def shared_views(*, actor: User) -> QuerySet[SavedView]:
    """Views colleagues shared with the actor's department (read-only here)."""
    if actor.department_id is None:
        return SavedView.objects.none()
    shared = in_departments(SavedView.objects.all(), [actor.department_id])
    return shared.exclude(pk__in=own_views(actor=actor).values("pk")).select_related("owner")


def visible_views(*, actor: User) -> QuerySet[SavedView]:
    """The actor's views and those shared with them, in one query."""
    return (own_views(actor=actor) | shared_views(actor=actor)).select_related("owner")


def view_get(*, actor: User, view_id: int) -> SavedView:
    """One of the actor's views or one shared with them; 404 otherwise."""
    view = own_views(actor=actor).filter(pk=view_id).first()
    if view is None:
        view = shared_views(actor=actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound()
    return view


def list_columns(*, actor: User) -> list[str]:
    row = mine(ListColumns.objects.all(), actor).first()
    return clean_columns(row.columns if row is not None else None)


# --- writes ---------------------------------------------------------------------------------


def _own(actor: User, view_id: int) -> SavedView:
    view = own_views(actor=actor).select_for_update().filter(pk=view_id).first()
    if view is None:
        if shared_views(actor=actor).filter(pk=view_id).exists():
            raise PermissionDenied(_("共享的视图只能由创建人修改"))
        raise NotFound()
    return view


def _snapshot(view: SavedView) -> dict[str, Any]:
    return {
        "name": view.name,
        "params": view.params,
        "columns": view.columns,
        "department": view.department_id,
    }


def _duplicate_name(name: str) -> Duplicate:
    message = _("已有名为“%(name)s”的视图") % {"name": name}
    return Duplicate(message, fields={"name": message})


@transaction.atomic
def view_save(*, actor: User, name: Any, params: Mapping[str, Any], columns: Any) -> SavedView:
    """Save the list as it is now under ``name`` (a name the actor already uses is updated)."""
    require(actor, VIEW_CUSTOMER)
    name = _clean_name(name)
    view = own_views(actor=actor).select_for_update().filter(name=name).first()
    if view is None:
        if own_views(actor=actor).count() >= VIEWS_MAX:
            raise Invalid(fields={"name": _("最多保存 %(n)s 个视图") % {"n": VIEWS_MAX}})
        view = SavedView(owner=actor, name=name)
    before = _snapshot(view) if view.pk else None
    view.params, view.columns = clean_params(params), clean_columns(columns)
    view.save()
    audit.record(
        actor=actor,
        verb="savedview.updated" if before else "savedview.created",
        obj=view,
        before=before,
        after=_snapshot(view),
    )
    return view


@transaction.atomic
def view_rename(*, actor: User, view_id: int, name: Any) -> SavedView:
    view = _own(actor, view_id)
    name = _clean_name(name)
    if own_views(actor=actor).filter(name=name).exclude(pk=view.pk).exists():
        raise _duplicate_name(name)
    before = _snapshot(view)
    view.name = name
    try:
        with transaction.atomic():
            view.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise _duplicate_name(name) from None
    audit.record(
        actor=actor, verb="savedview.renamed", obj=view, before=before, after=_snapshot(view)
    )
    return view


@transaction.atomic
def view_delete(*, actor: User, view_id: int) -> None:
    view = _own(actor, view_id)
    before = _snapshot(view)
    audit.record(actor=actor, verb="savedview.deleted", obj=view, before=before)
    view.delete()


@transaction.atomic
def view_share(*, actor: User, view_id: int, shared: bool) -> SavedView:
    """Share a view with the actor's department (or stop sharing it): a manager's only."""
    view = _own(actor, view_id)
    if shared and not may_share(actor):
        raise PermissionDenied(_("只有经理可以把视图共享给部门"))
    before = _snapshot(view)
    view.department_id = actor.department_id if shared else None
    view.save(update_fields=["department", "updated_at"])
    audit.record(
        actor=actor,
        verb="savedview.shared" if shared else "savedview.unshared",
        obj=view,
        before=before,
        after=_snapshot(view),
    )
    return view


def columns_set(*, actor: User, columns: Any) -> list[str]:
    """Remember the columns ``actor`` chose for the list."""
    require(actor, VIEW_CUSTOMER)
    chosen = clean_columns(columns)
    ListColumns.objects.update_or_create(user=actor, defaults={"columns": chosen})
    return chosen
