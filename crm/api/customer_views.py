"""Saved views of the customer list and the columns a user chose (crm.customers.listviews), as
the web list has them: ``/customer-views`` (the built-in views, one's own, those shared with
one's department) and ``/customer-columns``. A view's ``params`` are the query of
``GET /customers`` (filters and ``sort``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from pydantic import Field, StrictBool

from crm.accounts.roles import VIEW_CUSTOMER
from crm.core.inputs import NOT_BLANK
from crm.customers import listviews
from crm.customers.models import SavedView

from .customers import _BODY_ERRORS, _READ_ERRORS, _WRITE_ERRORS, _actor
from .schemas import NoNulIn, Out, PathId, StrictIn

router = Router(tags=["customers"])


class ViewOut(Out):
    id: int | None = Field(description="内置视图为 null")
    key: str = Field("", description="内置视图的代号")
    name: str
    params: dict[str, str] = Field(description="客户列表 GET /customers 的查询参数")
    columns: list[str]
    shared: bool = Field(False, description="是否已共享给创建人所在部门")
    owner_name: str = ""
    editable: bool = Field(description="是否为本人的视图（可改名、删除、共享）")


class ViewsOut(Out):
    presets: list[ViewOut]
    own: list[ViewOut]
    shared: list[ViewOut] = Field(description="同事共享给本部门的视图（只读）")
    may_share: bool = Field(description="本人能否把视图共享给部门（经理）")


class ViewIn(NoNulIn):
    name: str = Field(min_length=1, max_length=listviews.NAME_MAX, pattern=NOT_BLANK)
    params: dict[str, str] = Field(default_factory=dict)
    columns: list[str] = Field(default_factory=list, max_length=20)


class ViewPatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=listviews.NAME_MAX, pattern=NOT_BLANK)
    shared: StrictBool | None = None


class ColumnsIO(NoNulIn):
    columns: list[str] = Field(max_length=20, description=f"可选：{'、'.join(listviews.COLUMNS)}")


def _view_out(view: SavedView, *, editable: bool) -> dict[str, Any]:
    return {
        "id": view.pk,
        "name": view.name,
        "params": view.params,
        "columns": view.columns,
        "shared": view.shared,
        "owner_name": view.owner.display_name,
        "editable": editable,
    }


@router.get("customer-views", response={200: ViewsOut, **_READ_ERRORS})
def view_list(request: HttpRequest) -> dict[str, Any]:
    """The built-in views, the caller's own and those shared with their department."""
    actor = _actor(request, VIEW_CUSTOMER)
    views = list(listviews.visible_views(actor=actor))
    return {
        "presets": [
            {
                "id": None,
                "key": p.key,
                "name": str(p.name),
                "params": dict(p.params),
                "columns": list(listviews.DEFAULT_COLUMNS),
                "editable": False,
            }
            for p in listviews.PRESETS
        ],
        "own": [_view_out(v, editable=True) for v in views if v.owner_id == actor.pk],
        "shared": [_view_out(v, editable=False) for v in views if v.owner_id != actor.pk],
        "may_share": listviews.may_share(actor),
    }


@router.post("customer-views", response={201: ViewOut, **_BODY_ERRORS})
def view_create(request: HttpRequest, payload: ViewIn) -> Status[dict[str, Any]]:
    """Save a view (a name already used by the caller is updated)."""
    actor = _actor(request, VIEW_CUSTOMER)
    view = listviews.view_save(
        actor=actor, name=payload.name, params=payload.params, columns=payload.columns
    )
    return Status(201, _view_out(view, editable=True))


@router.patch("customer-views/{int:view_id}", response={200: ViewOut, **_BODY_ERRORS})
def view_update(request: HttpRequest, view_id: PathId, payload: ViewPatch) -> dict[str, Any]:
    """Rename one's view or share it with one's department (managers) or stop sharing it."""
    actor = _actor(request, VIEW_CUSTOMER)
    view = listviews.view_get(actor=actor, view_id=view_id)
    if payload.name is not None:
        view = listviews.view_rename(actor=actor, view_id=view_id, name=payload.name)
    if payload.shared is not None:
        view = listviews.view_share(actor=actor, view_id=view_id, shared=payload.shared)
    return _view_out(view, editable=view.owner_id == actor.pk)


@router.delete("customer-views/{int:view_id}", response={204: None, **_WRITE_ERRORS})
def view_delete(request: HttpRequest, response: HttpResponse, view_id: PathId) -> Status[None]:
    listviews.view_delete(actor=_actor(request, VIEW_CUSTOMER), view_id=view_id)
    return Status(204, None)


@router.get("customer-columns", response={200: ColumnsIO, **_READ_ERRORS})
def columns_get(request: HttpRequest) -> dict[str, Any]:
    """The columns the caller chose for the customer list."""
    return {"columns": listviews.list_columns(actor=_actor(request, VIEW_CUSTOMER))}


@router.put("customer-columns", response={200: ColumnsIO, **_BODY_ERRORS})
def columns_put(request: HttpRequest, payload: ColumnsIO) -> dict[str, Any]:
    """Remember the caller's columns (unknown ones left out; none: the default)."""
    chosen = listviews.columns_set(actor=_actor(request, VIEW_CUSTOMER), columns=payload.columns)
    return {"columns": chosen}
