from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from crm.accounts import services
from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.core.errors import LockedOut, NotAuthenticated
from crm.core.middleware import client_ip

from .schemas import ErrorOut, MeOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


@router.post("auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a username and password for a bearer token."""
    try:
        user = services.login_check(
            username=payload.username, password=payload.password, ip=client_ip(request)
        )
    except services.LockedOut as exc:
        raise LockedOut() from exc
    if user is None:
        raise NotAuthenticated(_("用户名或密码错误"))
    return TokenOut(token=services.token_issue(actor=user, name=payload.name or "API"))


@router.get("me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    dept = user.department
    return MeOut(
        id=user.pk, username=user.username, full_name=user.full_name, phone=user.phone,
        role=user.role, role_label=str(Role(user.role).label),
        department={"id": dept.pk, "name": dept.name} if dept else None,  # type: ignore[arg-type]
        data_scope=user.data_scope, actions=sorted(user.actions),
    )
