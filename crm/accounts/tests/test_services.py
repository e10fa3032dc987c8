from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from crm.accounts import services
from crm.accounts.models import ApiToken
from crm.core.errors import Invalid, PermissionDenied
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sign_in_with_the_right_password(org):
    assert services.login_check(username="rep_a", password=PASSWORD, ip="1.2.3.4") == org.rep_a
    assert services.login_check(username="REP_A", password=PASSWORD, ip=None) == org.rep_a


def test_five_failures_in_fifteen_minutes_lock_the_account(org):
    for _ in range(5):
        assert services.login_check(username="rep_a", password="wrong", ip=None) is None
    # even the right password is refused while locked
    with pytest.raises(services.LockedOut):
        services.login_check(username="rep_a", password=PASSWORD, ip=None)
    # other users are not affected
    assert services.login_check(username="rep_b", password=PASSWORD, ip=None) == org.rep_b


def test_lock_lifts_after_fifteen_minutes(org, clock):
    for _ in range(5):
        services.login_check(username="rep_a", password="wrong", ip=None)
    clock(timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
    assert services.login_check(username="rep_a", password=PASSWORD, ip=None) == org.rep_a


def test_four_failures_then_a_success_resets_the_count(org):
    for _ in range(4):
        services.login_check(username="rep_a", password="wrong", ip=None)
    assert services.login_check(username="rep_a", password=PASSWORD, ip=None) == org.rep_a
    for _ in range(4):
        services.login_check(username="rep_a", password="wrong", ip=None)
    assert services.login_check(username="rep_a", password=PASSWORD, ip=None) == org.rep_a


def test_inactive_user_cannot_sign_in(org):
    org.rep_a.is_active = False
    org.rep_a.save()
    assert services.login_check(username="rep_a", password=PASSWORD, ip=None) is None


def test_tokens_identify_their_user_until_revoked(org):
    key = services.token_issue(actor=org.rep_a, name="ERP")
    assert services.token_user(key) == org.rep_a
    assert services.token_user(key + "x") is None
    token = ApiToken.objects.get()
    assert key not in token.key_hash  # only the hash is stored
    services.token_revoke(actor=org.rep_a, token_id=token.pk)
    assert services.token_user(key) is None


def test_only_the_sysadmin_creates_users_and_it_is_audited(org):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=org.gm, username="x", password="Long-enough-9", role="rep", department=org.sales1
        )
    user = services.user_create(
        actor=org.sysadmin,
        username="newrep",
        password="Long-enough-9",
        role="rep",
        department=org.sales1,
        full_name="新人",
    )
    event = AuditEvent.objects.get(verb="user.created", object_id=str(user.pk))
    assert event.actor == org.sysadmin
    assert event.changes["role"] == [None, "rep"]


def test_user_create_refuses_weak_passwords_and_taken_names(org):
    with pytest.raises(Invalid) as err:
        services.user_create(
            actor=org.sysadmin, username="REP_A", password="123", role="rep", department=None
        )
    assert "username" in err.value.fields
    with pytest.raises(Invalid) as err:
        services.user_create(
            actor=org.sysadmin, username="fresh", password="123", role="rep", department=None
        )
    assert "password" in err.value.fields


def test_password_change_checks_the_old_password(org):
    with pytest.raises(Invalid) as err:
        services.password_change(
            actor=org.rep_a, old_password="nope", new_password="Another-pass-77"
        )
    assert "old_password" in err.value.fields
    services.password_change(actor=org.rep_a, old_password=PASSWORD, new_password="Another-pass-77")
    assert services.login_check(username="rep_a", password="Another-pass-77", ip=None) == org.rep_a


def test_the_sysadmin_sees_no_customer_data_and_the_data_admin_cannot_manage_users(org):
    assert not org.sysadmin.has_action("customers.view_customer")
    assert org.sysadmin.has_action("accounts.manage_users")
    assert not org.data_admin.has_action("accounts.manage_users")
