"""Sign-in with tokens and the caller's own profile."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from crm.accounts import selectors, services, twofactor
from crm.accounts.models import ApiToken
from crm.accounts.roles import VIEW_CUSTOMER
from crm.core.errors import LockedOut, NotAuthenticated, PermissionDenied
from crm.core.middleware import client_ip
from crm.core.permissions import scope_of

from .schemas import ErrorOut, MeOut, PathId, TokenIn, TokenInfoOut, TokenOut
from .security import BearerToken, signed_in

router = Router(tags=["accounts"])


@router.post(
    "auth/token",
    auth=None,
    response={
        200: TokenOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
)
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a username and password for a bearer token (shown once, keep it safe).

    Five failed attempts within 15 minutes lock the username out: 429 ``locked_out``. A user
    with two-factor sign-in gives the code from the authenticator (or a recovery code) in
    ``code``; without it, 401 with ``two_factor: true``.
    """
    try:
        user = services.login_check(
            username=payload.username, password=payload.password, ip=client_ip(request)
        )
    except services.LockedOut as exc:
        raise LockedOut() from exc
    if user is None:
        raise NotAuthenticated(_("用户名或密码错误"))
    if twofactor.is_enrolled(user):
        if not payload.code:
            raise NotAuthenticated(
                _("该账户已启用两步验证，请在 code 中提供验证码"),
                extra={"two_factor": True},
            )
        try:
            ok = twofactor.verify(user=user, code=payload.code)
        except twofactor.TooManyCodes as exc:
            raise LockedOut(_("验证码错误次数过多，请稍后再试")) from exc
        if not ok:
            raise NotAuthenticated(_("验证码不正确"), extra={"two_factor": True})
    elif twofactor.is_required(user):
        raise PermissionDenied(_("您的角色须使用两步验证：请先在网页的个人设置中启用"))
    return TokenOut(token=services.token_issue(actor=user, name=payload.name or "API"))


@router.delete("auth/token", auth=BearerToken(), response={204: None, 401: ErrorOut})
def token_revoke(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this request was made with (sign out). Bearer tokens only: a
    web session signs out on the web."""
    key: str = request.api_token  # type: ignore[attr-defined]
    services.token_revoke_key(actor=signed_in(request), key=key)
    return Status(204, None)


@router.get("auth/tokens", response={200: list[TokenInfoOut], 401: ErrorOut})
def token_list(request: HttpRequest) -> list[ApiToken]:
    """The caller's valid tokens (never the secret itself: only its first characters)."""
    return list(selectors.token_list(actor=signed_in(request)))


@router.delete("auth/tokens/{int:token_id}", response={204: None, 401: ErrorOut, 422: ErrorOut})
def token_revoke_by_id(request: HttpRequest, token_id: PathId) -> Status[None]:
    """Revoke one of the caller's tokens, e.g. one that leaked. Idempotent: an id that is not a
    valid token of the caller changes nothing and answers the same."""
    services.token_revoke(actor=signed_in(request), token_id=token_id)
    return Status(204, None)


@router.get("me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest) -> MeOut:
    """Who the caller is: role, department, data scope and the actions the role allows."""
    user = signed_in(request)
    dept = user.department
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        phone=user.phone,
        role=user.role_id or "",
        role_label=user.role_name,
        department={"id": dept.pk, "name": dept.name} if dept else None,  # type: ignore[arg-type]
        data_scope=scope_of(user, VIEW_CUSTOMER),
        actions=sorted(user.actions),
        grants=dict(sorted(user.grants.items())),
    )
