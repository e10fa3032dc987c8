"""Two-factor sign-in with a TOTP authenticator app (两步验证), and its recovery codes.

A user enrols from their own settings: a secret is made (kept encrypted, crm.accounts.secretbox),
shown as a QR code and as a key to type, and confirmed with a first code; ten one-time recovery
codes are then shown once (only their keyed hashes are kept). From then on a sign-in asks for a
code after the password. ``CRM_REQUIRE_2FA`` makes it compulsory for managers and above.

Wrong codes are counted per user like wrong passwords (LoginThrottle under ``2fa:<username>``,
LOGIN_LOCKOUT_ATTEMPTS within LOGIN_LOCKOUT_MINUTES): a separate counter, which a right password
does not forgive, so that someone who knows the password cannot keep guessing codes. Enrolment,
disabling, resets, recovery-code use and every failed code are audited; the audit rows name the
user, never the secret or a code.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Invalid, NotFound
from crm.core.permissions import owned_by, require
from crm.governance import audit

from . import services
from .models import LoginThrottle, RecoveryCode, TwoFactor, User
from .roles import MANAGE_USERS, BuiltinRole
from .secretbox import keyed_hash, open_box, seal

# managers and above: the roles that see a department's or the company's customers, or run it
REQUIRED_ROLES = frozenset(
    {
        BuiltinRole.MANAGER,
        BuiltinRole.DIRECTOR,
        BuiltinRole.GM,
        BuiltinRole.DATA_ADMIN,
        BuiltinRole.SYSADMIN,
    }
)
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


class TooManyCodes(Exception):
    """Too many wrong codes for this user recently."""


def is_required(user: User) -> bool:
    """Whether the user's role must use two-factor sign-in (CRM_REQUIRE_2FA)."""
    return bool(settings.CRM_REQUIRE_2FA) and user.role_id in REQUIRED_ROLES


def is_enrolled(user: User) -> bool:
    return owned_by(TwoFactor.objects.filter(confirmed_at__isnull=False), [user.pk]).exists()


def enrolled_ids() -> set[int]:
    """The ids of the users with two-factor sign-in (the user management page)."""
    confirmed = TwoFactor.objects.filter(confirmed_at__isnull=False)
    return set(confirmed.values_list("user_id", flat=True))


def _totp(device: TwoFactor) -> pyotp.TOTP:
    return pyotp.TOTP(open_box(device.secret))


def _clean(code: str) -> str:
    return "".join(c for c in str(code).lower() if c.isalnum())


@transaction.atomic
def enrol_start(*, actor: User) -> tuple[str, str]:
    """The secret of an enrolment waiting for its first code (made now unless one waits) and its
    ``otpauth://`` address for the QR code."""
    device = owned_by(TwoFactor.objects.select_for_update().all(), [actor.pk]).first()
    if device is not None and device.confirmed_at is not None:
        raise Invalid(_("两步验证已启用"))
    if device is None:
        device = TwoFactor.objects.create(user=actor, secret=seal(pyotp.random_base32()))
    secret = open_box(device.secret)
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=actor.username, issuer_name=settings.CRM_2FA_ISSUER
    )
    return secret, uri


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element (no external image, CSP-safe)."""
    return str(segno.make(uri, error="m").svg_inline(border=2, dark="#111", omitsize=True))


def _new_recovery_codes(user: User) -> list[str]:
    owned_by(RecoveryCode.objects.all(), [user.pk]).delete()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=keyed_hash(c)) for c in codes]
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _matching_step(device: TwoFactor, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (this one or a neighbour, for clock drift) when it is
    later than the last code used, else ``None``."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = _totp(device)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if step > device.last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def enrol_confirm(*, actor: User, code: str) -> list[str]:
    """Confirm the enrolment with a code from the app; returns the recovery codes (shown once)."""
    device = owned_by(TwoFactor.objects.select_for_update().all(), [actor.pk]).first()
    if device is None or device.confirmed_at is not None:
        raise Invalid(_("请重新开始启用两步验证"))
    step = _matching_step(device, _clean(code), timezone.now())
    if step is None:
        audit.record(actor=actor, verb="user.2fa_failed", obj=actor, details={"stage": "enrol"})
        raise Invalid(fields={"code": _("验证码不正确，请查看验证器中的最新验证码")})
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, verb="user.2fa_enabled", obj=actor)
    return codes


def _throttle_key(user: User) -> str:
    return f"2fa:{user.username.lower()}"[: services.USERNAME_MAX]


def is_throttled(user: User) -> bool:
    return services.is_locked_out(_throttle_key(user))


def verify(*, user: User, code: str) -> bool:
    """Check a sign-in's second step: a code from the app (each used once) or an unused recovery
    code (then used up). Every failure is counted and audited; raises ``TooManyCodes`` when the
    user has had too many wrong codes in the window, even if this one is right."""
    key = _throttle_key(user)
    if services._count_attempt(key) is None:
        audit.record(actor=None, verb="user.2fa_locked", obj=user)
        raise TooManyCodes()
    ok, how = _check(user, _clean(code))
    if ok:
        LoginThrottle.objects.filter(username=key).delete()
        if how == "recovery":
            left = owned_by(RecoveryCode.objects.filter(used_at__isnull=True), [user.pk]).count()
            audit.record(
                actor=user, verb="user.2fa_recovery_used", obj=user, details={"left": left}
            )
    else:
        audit.record(actor=None, verb="user.2fa_failed", obj=user, details={"stage": "sign_in"})
    return ok


@transaction.atomic
def _check(user: User, code: str) -> tuple[bool, str]:
    device = owned_by(
        TwoFactor.objects.select_for_update().filter(confirmed_at__isnull=False), [user.pk]
    ).first()
    if device is None or not code:
        return False, ""
    step = _matching_step(device, code, timezone.now())
    if step is not None:
        device.last_step = step
        device.save(update_fields=["last_step"])
        return True, "totp"
    used = owned_by(
        RecoveryCode.objects.filter(code_hash=keyed_hash(code), used_at__isnull=True), [user.pk]
    ).update(used_at=timezone.now())
    return bool(used), "recovery"


def recovery_codes_left(user: User) -> int:
    return owned_by(RecoveryCode.objects.filter(used_at__isnull=True), [user.pk]).count()


def _check_password(actor: User, password: str) -> None:
    if not actor.check_password(password):
        raise Invalid(fields={"password": _("密码不正确")})


@transaction.atomic
def disable(*, actor: User, password: str) -> None:
    """Turn two-factor sign-in off (with the password), unless the role requires it."""
    _check_password(actor, password)
    if is_required(actor):
        raise Invalid(_("您的角色必须使用两步验证，不能关闭"))
    if not owned_by(TwoFactor.objects.all(), [actor.pk]).exists():
        raise Invalid(_("两步验证未启用"))
    owned_by(TwoFactor.objects.all(), [actor.pk]).delete()
    owned_by(RecoveryCode.objects.all(), [actor.pk]).delete()
    audit.record(actor=actor, verb="user.2fa_disabled", obj=actor)


@transaction.atomic
def recovery_codes_renew(*, actor: User, password: str) -> list[str]:
    """New recovery codes (with the password); the old ones stop working."""
    _check_password(actor, password)
    if not is_enrolled(actor):
        raise Invalid(_("两步验证未启用"))
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, verb="user.2fa_recovery_renewed", obj=actor)
    return codes


@transaction.atomic
def reset(*, actor: User, user_id: int) -> User:
    """The system administrator removes a user's authenticator (lost phone and codes): the user
    enrols again (at the next sign-in when it is required)."""
    require(actor, MANAGE_USERS)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if not owned_by(TwoFactor.objects.all(), [user.pk]).exists():
        raise Invalid(_("该用户未启用两步验证"))
    owned_by(TwoFactor.objects.all(), [user.pk]).delete()
    owned_by(RecoveryCode.objects.all(), [user.pk]).delete()
    audit.record(actor=actor, verb="user.2fa_reset", obj=user)
    return user
