"""Users, sign-in with lock-out, personal settings and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from crm.core.inputs import validate
from crm.core.permissions import Scope, has_action, mine, owned_by, require
from crm.governance import approvals, audit
from crm.governance.models import ApprovalRequest

from . import passwords
from .inputs import ProfileInput
from .models import ApiToken, Department, LoginAttempt, LoginThrottle, Role, User
from .roles import (
    ACTIONS_BY_CODE,
    CONFIRM_ROLE_GRANT,
    MANAGE_ROLES,
    MANAGE_USERS,
    reads_customer_data,
    widened,
)
from .validators import username_error


class LockedOut(Exception):
    """Too many failed sign-ins for this username recently."""


class AddressLockedOut(LockedOut):
    """Too many failed sign-ins from this client address recently (whatever the usernames)."""


# --- sign-in --------------------------------------------------------------------------------
#
# An attempt is counted *before* its password is hashed, in a short transaction that holds the
# username's LoginThrottle row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the single writer), so
# that parallel requests see each other's attempts. The hash runs outside the transaction; a
# success then forgives the failures counted before it. Unknown usernames are hashed too.

USERNAME_MAX = 150


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _key(username: str) -> str:
    return username.strip().lower()[:USERNAME_MAX]


def is_locked_out(username: str) -> bool:
    """Whether ``username`` has had too many failures within the window (one query)."""
    since = timezone.now() - _window()
    return LoginThrottle.objects.filter(
        username=_key(username),
        last_failure_at__gt=since,
        failures__gte=settings.LOGIN_LOCKOUT_ATTEMPTS,
    ).exists()


def is_address_locked_out(ip: str | None) -> bool:
    """Whether ``ip`` has had LOGIN_ADDRESS_ATTEMPTS failed sign-ins within the window (someone
    trying many usernames, which the per-username lock-out alone would not stop)."""
    if not ip or settings.LOGIN_ADDRESS_ATTEMPTS <= 0:
        return False
    since = timezone.now() - _window()
    failures = LoginAttempt.objects.filter(ip=ip, succeeded=False, created_at__gt=since)
    return failures.count() >= settings.LOGIN_ADDRESS_ATTEMPTS


@transaction.atomic
def _count_attempt(key: str) -> int | None:
    """Count one attempt of ``key`` as a failure until proven otherwise; returns the failures
    counted before it, or ``None`` when the username is locked out (nothing is counted)."""
    now = timezone.now()
    LoginThrottle.objects.bulk_create([LoginThrottle(username=key)], ignore_conflicts=True)
    row = LoginThrottle.objects.select_for_update().get(username=key)
    recent = row.last_failure_at is not None and row.last_failure_at > now - _window()
    before = row.failures if recent else 0
    if before >= settings.LOGIN_LOCKOUT_ATTEMPTS:
        return None
    row.failures = before + 1
    row.last_failure_at = now
    row.save(update_fields=["failures", "last_failure_at"])
    return before


@functools.cache
def _dummy_hash(algorithm: str) -> str:
    return make_password(secrets.token_urlsafe(16))


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password with the configured hasher, also when there is no such user (against
    a dummy hash) so that the time taken does not tell which usernames exist."""
    if user is None or not user.has_usable_password():
        check_password(password, _dummy_hash(get_hasher().algorithm))
        return False
    return user.check_password(password)


def _attempt_recorded(key: str, ip: str | None, *, succeeded: bool, verb: str = "") -> None:
    """Keep the attempt (and the audit row of a failure); prune what left the window."""
    attempt = LoginAttempt.objects.create(username=key, ip=ip, succeeded=succeeded)
    if verb:
        audit.record(actor=None, verb=verb, obj=attempt)
    since = timezone.now() - _window()
    LoginAttempt.objects.filter(created_at__lt=since).delete()
    LoginThrottle.objects.filter(last_failure_at__lt=since).delete()


def login_check(*, username: str, password: str, ip: str | None) -> User | None:
    """Check credentials under the lock-out rule; every attempt is recorded, every failure
    audited (``user.login_failed``, ``user.login_locked``).

    Raises ``LockedOut`` when the username has had too many failures in the window, even if the
    password is right now, so that guessing cannot continue.
    """
    key = _key(username)
    if is_address_locked_out(ip):
        _attempt_recorded(key, ip, succeeded=False, verb="user.login_address_locked")
        raise AddressLockedOut()
    before = _count_attempt(key)
    if before is None:
        _attempt_recorded(key, ip, succeeded=False, verb="user.login_locked")
        raise LockedOut()
    user = User.objects.filter(username__iexact=username.strip()[:USERNAME_MAX]).first()
    ok = _password_matches(user, password) and user is not None and user.is_active
    if ok:
        LoginThrottle.objects.filter(username=key).update(
            failures=Greatest(F("failures") - (before + 1), Value(0))
        )
    _attempt_recorded(key, ip, succeeded=ok, verb="" if ok else "user.login_failed")
    if ok and user is not None and not user.must_change_password and passwords.is_expired(user):
        # an expired password opens nothing but its change, like one an administrator set
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        audit.record(actor=None, verb="user.password_expired", obj=user)
    return user if ok else None


def session_opened(*, actor: User) -> None:
    """A web sign-in (the API's sign-in is the token it issues)."""
    audit.record(actor=actor, verb="user.logged_in", obj=actor)


def session_closed(*, actor: User) -> None:
    audit.record(actor=actor, verb="user.logged_out", obj=actor)


# --- users ----------------------------------------------------------------------------------


def department_ensure(
    *, name: str, parent: Department | None = None, data_mgmt: bool = False
) -> Department:
    dept, created = Department.objects.get_or_create(
        name=name, defaults={"parent": parent, "is_data_management": data_mgmt}
    )
    if created or not dept.path:
        dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
        dept.save(update_fields=["path"])
    return dept


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role_id,
        "department": user.department_id,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
    }


def _needs_confirmation(actor: User | None, role: Role | None) -> bool:
    """Separation of duties: granting a role that reads customer data takes the general
    manager's confirmation, unless the one granting may confirm it (the command line, run by
    whoever installs the system, is trusted)."""
    if actor is None or role is None or not reads_customer_data(role.grants):
        return False
    return not has_action(actor, CONFIRM_ROLE_GRANT)


def _request_role(actor: User, user: User, role: Role) -> ApprovalRequest:
    return approvals.approval_submit(
        actor=actor,
        kind="accounts.user_role",
        title=_("授予 %(user)s（%(username)s）角色“%(role)s”")
        % {"user": user.display_name, "username": user.username, "role": role.name},
        payload={"user": user.pk, "role": role.code},
        approve_action=CONFIRM_ROLE_GRANT,
    )


def _is_password_hash(encoded: str) -> bool:
    """Whether ``encoded`` is a hash made by one of the configured hashers (not plain text)."""
    try:
        identify_hasher(encoded)
    except ValueError:
        return False
    return True


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    department: Department | None,
    full_name: str = "",
    phone: str = "",
    validate_password: bool = True,
    password_hash: str = "",
) -> User:
    """Create a user. ``actor=None`` is the command line (provisioning), trusted by the OS.

    A role that reads customer data, given by the system administrator, waits for the general
    manager's confirmation: until then the user has no role.

    ``password_hash``: the command line may give a password already hashed instead (the demo
    company's users share one; hashing is slow on purpose); ``password`` is then ignored.
    """
    if actor is not None:
        require(actor, MANAGE_USERS)
    errors: dict[str, str] = {}
    role_obj = Role.objects.filter(pk=role).first() if role else None
    if role_obj is None:
        errors["role"] = _("角色无效")
    username = username.strip()
    wrong = username_error(username)
    if wrong:
        errors["username"] = wrong
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名已存在")
    try:
        profile = validate(ProfileInput, {"full_name": full_name, "phone": phone})
    except Invalid as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
        profile = {"full_name": full_name, "phone": phone}
    pending = _needs_confirmation(actor, role_obj)
    user = User(
        username=username,
        full_name=profile["full_name"],
        phone=profile["phone"],
        role=None if pending else role_obj,
        department=department,
        # a password an administrator chose is the user's to replace at first sign-in
        must_change_password=actor is not None,
    )
    if password_hash and (actor is not None or not _is_password_hash(password_hash)):
        # a programming error, not a user's: only the command line passes hashes
        raise ValueError("password_hash must be a hash, given by the command line")
    if validate_password and not password_hash and not errors:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise Invalid(fields=errors)
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    audit.record(actor=actor, verb="user.created", obj=user, after=_user_snapshot(user))
    if pending and actor is not None and role_obj is not None:
        _request_role(actor, user, role_obj)
    return user


@transaction.atomic
def user_set_role(*, actor: User, user_id: int, role: str) -> ApprovalRequest | None:
    """Give a user another role. A role that reads customer data waits for the general
    manager's confirmation (the request is returned; the user keeps the old role meanwhile)."""
    require(actor, MANAGE_USERS)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    role_obj = Role.objects.filter(pk=role).first()
    if role_obj is None:
        raise Invalid(fields={"role": _("角色无效")})
    if user.role_id == role_obj.code:
        return None
    if _needs_confirmation(actor, role_obj):
        return _request_role(actor, user, role_obj)
    _apply_role(actor, user, role_obj)
    return None


def _apply_role(actor: User | None, user: User, role: Role) -> None:
    before = _user_snapshot(user)
    user.role = role
    user.save(update_fields=["role"])
    _refuse_orphaned_administration()
    audit.record(
        actor=actor, verb="user.role_changed", obj=user, before=before, after=_user_snapshot(user)
    )


@approvals.handler("accounts.user_role")
def _approved_user_role(request: ApprovalRequest, actor: User) -> None:
    user = User.objects.select_for_update().filter(pk=request.payload.get("user")).first()
    role = Role.objects.filter(pk=request.payload.get("role")).first()
    if user is None or role is None:
        raise Invalid(_("用户或角色已不存在"))
    _apply_role(actor, user, role)


@transaction.atomic
def profile_update(*, actor: User, full_name: str, phone: str) -> User:
    """One's own name and phone, through the declared input (``ProfileInput``): what is too
    long or not a phone is refused, as everywhere, never cut."""
    data = validate(ProfileInput, {"full_name": full_name, "phone": phone})
    before = _user_snapshot(actor)
    actor.full_name, actor.phone = data["full_name"], data["phone"]
    actor.save(update_fields=["full_name", "phone"])
    audit.record(
        actor=actor,
        verb="user.profile_changed",
        obj=actor,
        before=before,
        after=_user_snapshot(actor),
    )
    return actor


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    if not actor.check_password(old_password):
        raise Invalid(fields={"old_password": _("原密码不正确")})
    if new_password == old_password:  # before the policy, whose history rule says it less plainly
        raise Invalid(fields={"new_password": _("新密码不能与原密码相同")})
    try:
        password_validation.validate_password(new_password, actor)
    except ValidationError as exc:
        raise Invalid(fields={"new_password": " ".join(exc.messages)}) from exc
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    audit.record(actor=actor, verb="user.password_changed", obj=actor)
    return actor


# --- API tokens -----------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, actor: User, name: str = "") -> str:
    """A new bearer token for ``actor``; the plain token is returned once and never stored."""
    if not actor.is_active:
        raise PermissionDenied()
    if actor.must_change_password:
        raise PermissionDenied(_("请先在网页上修改管理员设置的临时密码"))
    key = "crm_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=key[4:12],
        key_hash=_hash(key),
        password_stamp=ApiToken.stamp_for(actor),
    )
    audit.record(actor=actor, verb="token.issued", obj=token)
    return key


class _TokenLookup:
    """A bearer token's row with its user and the user's department and role: one query over
    the unique key hash, compiled once per database and run with each request's hash. Building
    and compiling it through the ORM on every request cost more than the indexed lookup itself.
    Age and revocation are checked on the row (``token_user``), so the hash is the only value.
    """

    SAMPLE = "0" * 64

    def __init__(self, alias: str) -> None:
        qs = (
            ApiToken.objects.using(alias)
            .select_related("user__department", "user__role")
            .filter(key_hash=self.SAMPLE)
            .order_by()[:1]
        )
        compiler = qs.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        if list(params) != [self.SAMPLE]:
            raise RuntimeError(f"unexpected token query parameters: {params!r}")
        self.alias = alias
        self.compiler = compiler
        info = compiler.klass_info
        assert info is not None
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        self.fields = slice(start, end)
        self.init_list = [col[0].target.attname for col in compiler.select[start:end]]
        self.related = get_related_populators(info, compiler.select, alias)

    def find(self, key_hash: str) -> ApiToken | None:
        with connections[self.alias].cursor() as cur:
            cur.execute(self.sql, [key_hash])
            rows = cur.fetchall()
        for row in self.compiler.results_iter([rows]):
            token = ApiToken.from_db(self.alias, self.init_list, row[self.fields])
            for populator in self.related:
                populator.populate(row, token)
            return token
        return None


@functools.cache
def _token_lookup(alias: str) -> _TokenLookup:
    return _TokenLookup(alias)


def token_user(key: str) -> User | None:
    """The active user a bearer token belongs to (one query), touching its last-used time at
    most hourly. Revoked tokens, tokens past their age and tokens issued before the user's
    password last changed open nothing."""
    now = timezone.now()
    token = _token_lookup(DEFAULT_DB_ALIAS).find(_hash(key))
    if token is None or token.revoked_at is not None:
        return None
    if token.created_at <= now - ApiToken.max_age() or not token.user.is_active:
        return None
    if token.user.must_change_password:  # a temporary password opens nothing but its change
        return None
    if not secrets.compare_digest(token.password_stamp, ApiToken.stamp_for(token.user)):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> None:
    token = mine(ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True), actor).first()
    if token is None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, verb="token.revoked", obj=token)


def token_revoke_key(*, actor: User, key: str) -> None:
    """Revoke the token ``key`` of ``actor``: an API client signing out with its own token."""
    active = mine(ApiToken.objects.filter(revoked_at__isnull=True), actor)
    token = active.filter(key_hash=_hash(key)).first()
    if token is not None:
        token_revoke(actor=actor, token_id=token.pk)


@transaction.atomic
def user_set_active(*, actor: User, user_id: int, active: bool) -> User:
    """Deactivate or reactivate a user (system administrator). Nobody deactivates themselves.
    Deactivation revokes the user's API tokens: reactivating the account does not revive them."""
    require(actor, MANAGE_USERS)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.pk and not active:
        raise Invalid(_("不能停用自己的账户"))
    if user.is_active == active:
        return user
    before = _user_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    verb = "user.activated" if active else "user.deactivated"
    audit.record(actor=actor, verb=verb, obj=user, before=before, after=_user_snapshot(user))
    if not active:
        _tokens_revoke_all(actor=actor, user=user)
    return user


def _tokens_revoke_all(*, actor: User, user: User) -> None:
    for token in owned_by(ApiToken.objects.filter(revoked_at__isnull=True), [user.pk]):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, verb="token.revoked", obj=token)


@transaction.atomic
def user_password_reset(*, actor: User | None, user_id: int, new_password: str) -> User:
    """Set a user's password for them (system administrator; ``actor=None`` is the command
    line). Every API token of the user ends with the old password. Set by an administrator, the
    password is a temporary one: the user must change it at the next sign-in (no page but the
    password change opens, no API token is issued or honoured until then)."""
    if actor is not None:
        require(actor, MANAGE_USERS)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if actor is not None and user.pk == actor.pk:  # one's own: with the old password, in settings
        raise Invalid(fields={"password": _("请在个人设置中修改自己的密码")})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise Invalid(fields={"password": " ".join(exc.messages)}) from exc
    user.set_password(new_password)
    user.must_change_password = actor is not None
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=actor, verb="user.password_reset", obj=user)
    return user


@transaction.atomic
def user_unlock(*, actor: User, user_id: int) -> User:
    """Lift a lock-out (解锁) before its window ends: the failures counted are forgiven."""
    require(actor, MANAGE_USERS)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if not is_locked_out(user.username):
        raise Invalid(_("该用户未被锁定"))
    LoginThrottle.objects.filter(username=_key(user.username)).delete()
    audit.record(actor=actor, verb="user.unlocked", obj=user)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user_id: int,
    full_name: str,
    phone: str,
    department: int | None,
    role: str,
) -> tuple[User, ApprovalRequest | None]:
    """Change a user's name, phone, department and role (system administrator). The role
    follows ``user_set_role``: one that reads customer data waits for the general manager (the
    request is returned; the rest is saved now)."""
    require(actor, MANAGE_USERS)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    errors: dict[str, str] = {}
    try:
        profile = validate(ProfileInput, {"full_name": full_name, "phone": phone})
    except Invalid as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
        profile = {}
    dept = None
    if department is not None:
        dept = Department.objects.filter(pk=department).first()
        if dept is None:
            errors["department"] = _("部门不存在")
    role_obj = Role.objects.filter(pk=role).first() if role else None
    if role and role_obj is None:
        errors["role"] = _("角色无效")
    if errors:
        raise Invalid(fields=errors)
    before = _user_snapshot(user)
    user.full_name, user.phone, user.department = profile["full_name"], profile["phone"], dept
    user.save(update_fields=["full_name", "phone", "department"])
    after = _user_snapshot(user)
    if after != before:
        audit.record(actor=actor, verb="user.changed", obj=user, before=before, after=after)
    request = None
    if role_obj is not None and role_obj.code != user.role_id:
        if _needs_confirmation(actor, role_obj):
            request = _request_role(actor, user, role_obj)
        else:
            _apply_role(actor, user, role_obj)
    return user, request


# --- roles ----------------------------------------------------------------------------------


def clean_grants(grants: object) -> dict[str, str]:
    """``{action: scope}`` with known actions and scopes; on/off actions take ``all`` only."""
    if not isinstance(grants, dict):
        raise Invalid(fields={"grants": _("权限格式不正确")})
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for code, scope in grants.items():
        action = ACTIONS_BY_CODE.get(str(code))
        if action is None:
            errors[f"grants.{code}"] = _("未知的权限")
        elif scope not in Scope.ORDER or (
            not action.scoped and scope not in (Scope.ALL, Scope.NONE)
        ):
            errors[f"grants.{code}"] = _("数据范围无效")
        elif scope != Scope.NONE:
            cleaned[action.code] = scope
    if errors:
        raise Invalid(fields=errors)
    return cleaned


def _role_snapshot(role: Role) -> dict[str, object]:
    return {"name": role.name, "description": role.description, "grants": dict(role.grants)}


def _refuse_orphaned_administration() -> None:
    """Somebody active must still be able to manage roles and users, or nobody could undo it."""
    holders = Role.objects.filter(members__is_active=True).distinct()
    if not any(r.scope_for(MANAGE_ROLES) != Scope.NONE for r in holders):
        raise Invalid(_("此更改会使系统中没有人能管理角色与权限"))
    if not any(r.scope_for(MANAGE_USERS) != Scope.NONE for r in holders):
        raise Invalid(_("此更改会使系统中没有人能管理用户"))


def _clean_role_text(name: str, description: str, *, exclude: str | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("请填写角色名称")
    elif len(name) > 50:
        errors["name"] = _("不能超过 %(n)d 个字") % {"n": 50}
    elif Role.objects.filter(name=name).exclude(pk=exclude).exists():
        errors["name"] = _("角色名称已存在")
    if len(description.strip()) > 200:
        errors["description"] = _("不能超过 %(n)d 个字") % {"n": 200}
    if errors:
        raise Invalid(fields=errors)
    return {"name": name, "description": description.strip()}


@transaction.atomic
def role_create(
    *,
    actor: User,
    code: str,
    name: str,
    description: str = "",
    grants: object = None,
    copy_from: str = "",
) -> Role:
    """A new role, empty or with the grants of ``copy_from`` (it has no members yet, so no
    confirmation is needed)."""
    require(actor, MANAGE_ROLES)
    if copy_from:
        source = Role.objects.filter(pk=copy_from).first()
        if source is None:
            raise Invalid(fields={"copy_from": _("角色不存在")})
        grants = dict(source.grants)
    code = code.strip().lower()
    if (
        not code
        or len(code) > 30
        or not all(c.isascii() and (c.isalnum() or c == "_") for c in code)
    ):
        raise Invalid(fields={"code": _("代码只能包含英文字母、数字和下划线，最多 30 个字符")})
    if Role.objects.filter(pk=code).exists():
        raise Invalid(fields={"code": _("角色代码已存在")})
    text = _clean_role_text(name, description)
    role = Role.objects.create(code=code, grants=clean_grants(grants or {}), **text)
    audit.record(actor=actor, verb="role.created", obj=role, after=_role_snapshot(role))
    return role


@transaction.atomic
def role_update(
    *,
    actor: User,
    code: str,
    version: int,
    name: str,
    description: str,
    grants: object,
) -> tuple[Role, ApprovalRequest | None]:
    """Change a role's name and grants. Widening what a role with members reads of customer
    data waits for the general manager's confirmation: the role is unchanged and the request is
    returned. A stale ``version`` is a conflict."""
    require(actor, MANAGE_ROLES)
    role = Role.objects.select_for_update().filter(pk=code).first()
    if role is None:
        raise NotFound()
    if role.version != version:
        raise Conflict(extra={"current_version": role.version})
    text = _clean_role_text(name, description, exclude=role.code)
    cleaned = clean_grants(grants)
    wider = widened(role.grants, cleaned)
    if (
        wider
        and role.members.filter(is_active=True).exists()
        and not has_action(actor, CONFIRM_ROLE_GRANT)
    ):
        request = approvals.approval_submit(
            actor=actor,
            kind="accounts.role_grants",
            title=_("扩大角色“%(role)s”查看客户数据的权限") % {"role": role.name},
            payload={"role": role.code, "version": role.version, "grants": cleaned, **text},
            approve_action=CONFIRM_ROLE_GRANT,
        )
        return role, request
    _apply_role_change(actor, role, cleaned, text)
    return role, None


def _apply_role_change(
    actor: User, role: Role, grants: dict[str, str], text: dict[str, str]
) -> None:
    before = _role_snapshot(role)
    role.grants, role.name, role.description = grants, text["name"], text["description"]
    role.version += 1
    role.save()
    _refuse_orphaned_administration()
    audit.record(
        actor=actor, verb="role.changed", obj=role, before=before, after=_role_snapshot(role)
    )


@approvals.handler("accounts.role_grants")
def _approved_role_grants(request: ApprovalRequest, actor: User) -> None:
    payload = request.payload
    role = Role.objects.select_for_update().filter(pk=payload.get("role")).first()
    if role is None:
        raise Invalid(_("角色已不存在"))
    if role.version != payload.get("version"):
        raise Conflict(_("申请提交后该角色已被修改，请重新提交"))
    text = {
        "name": str(payload.get("name", role.name)),
        "description": str(payload.get("description", "")),
    }
    _apply_role_change(actor, role, clean_grants(payload.get("grants")), text)


@transaction.atomic
def role_delete(*, actor: User, code: str) -> None:
    """Remove a role nobody has (the shipped roles stay)."""
    require(actor, MANAGE_ROLES)
    role = Role.objects.select_for_update().filter(pk=code).first()
    if role is None:
        raise NotFound()
    if role.builtin:
        raise Invalid(_("系统预置角色不能删除"))
    if role.members.exists():
        raise Invalid(_("仍有用户使用该角色，不能删除"))
    audit.record(actor=actor, verb="role.deleted", obj=role, before=_role_snapshot(role))
    role.delete()


def user_access_end(*, actor: User, user: User, reason: str) -> int:
    """End ``user``'s access at once (a departure, 离职交接): the account is deactivated, every
    signed-in session of theirs ends and every API token is revoked. The caller (crm.handover)
    has checked its own action over ``user`` with ``require()`` and holds its transaction.
    Returns how many sessions ended."""
    from django.contrib.sessions.models import Session

    if user.pk == actor.pk:
        raise Invalid(_("不能停用自己的账户"))
    if user.is_active:
        before = _user_snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            verb="user.deactivated",
            obj=user,
            before=before,
            after=_user_snapshot(user),
            reason=reason,
        )
    _tokens_revoke_all(actor=actor, user=user)
    ended = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)
