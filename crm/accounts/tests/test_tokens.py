"""How long an API token lives: until revoked, until its age runs out, until the password changes,
and never again after its user was deactivated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from crm.accounts import selectors, services
from crm.accounts.models import ApiToken
from crm.core.errors import Invalid, PermissionDenied
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-pass-77"


def me(token: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_changing_ones_password_ends_every_token_issued_before(org):
    # given two tokens of rep_a
    old = [services.token_issue(actor=org.rep_a, name=n) for n in ("ERP", "手机")]
    assert [me(t) for t in old] == [200, 200]

    # when rep_a changes the password
    services.password_change(actor=org.rep_a, old_password=PASSWORD, new_password=NEW_PASSWORD)

    # then the old tokens open nothing, nor are they listed; a new one works
    assert [me(t) for t in old] == [401, 401]
    assert list(selectors.token_list(actor=org.rep_a)) == []
    assert me(services.token_issue(actor=org.rep_a)) == 200


def test_an_administrators_reset_ends_the_users_tokens_and_is_audited(org):
    token = services.token_issue(actor=org.rep_a, name="ERP")

    services.user_password_reset(
        actor=org.sysadmin, user_id=org.rep_a.pk, new_password=NEW_PASSWORD
    )

    assert me(token) == 401
    assert services.login_check(username="rep_a", password=NEW_PASSWORD, ip=None) == org.rep_a
    event = AuditEvent.objects.get(verb="user.password_reset")
    assert (event.actor, event.object_id) == (org.sysadmin, str(org.rep_a.pk))
    assert NEW_PASSWORD not in str(event.changes)


def test_only_the_system_administrator_resets_passwords(org):
    with pytest.raises(PermissionDenied):
        services.user_password_reset(actor=org.gm, user_id=org.rep_a.pk, new_password=NEW_PASSWORD)
    with pytest.raises(Invalid) as exc:
        services.user_password_reset(actor=org.sysadmin, user_id=org.rep_a.pk, new_password="123")
    assert "password" in exc.value.fields
    with pytest.raises(Invalid):  # their own goes through settings, with the old password
        services.user_password_reset(
            actor=org.sysadmin, user_id=org.sysadmin.pk, new_password=NEW_PASSWORD
        )
    assert not AuditEvent.objects.filter(verb="user.password_reset").exists()


def test_a_password_set_by_any_other_means_ends_the_tokens_too(org):
    # e.g. ``crm changepassword rep_a`` on the server
    token = services.token_issue(actor=org.rep_a)
    org.rep_a.set_password(NEW_PASSWORD)
    org.rep_a.save()
    assert me(token) == 401


def test_tokens_expire_after_the_configured_age(org, settings, clock):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    token = services.token_issue(actor=org.rep_a)
    issued = ApiToken.objects.get()
    assert issued.expires_at == issued.created_at + dt.timedelta(days=30)

    almost = issued.created_at + dt.timedelta(days=30) - dt.timedelta(minutes=1)
    clock(almost)
    assert me(token) == 200
    clock(issued.created_at + dt.timedelta(days=30, minutes=1))
    assert me(token) == 401
    assert list(selectors.token_list(actor=org.rep_a)) == []


def test_the_default_age_is_ninety_days_from_the_environment():
    from config.settings import base

    assert base.API_TOKEN_MAX_AGE_DAYS == 90


def test_deactivation_revokes_tokens_and_reactivation_does_not_bring_them_back(org):
    token = services.token_issue(actor=org.rep_a)
    services.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=False)
    services.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=True)

    assert me(token) == 401
    assert ApiToken.objects.get().revoked_at is not None
    revoked = AuditEvent.objects.get(verb="token.revoked")
    assert revoked.actor == org.sysadmin
    assert [e.verb for e in AuditEvent.objects.filter(object_type="accounts.user").order_by("id")][
        -2:
    ] == ["user.deactivated", "user.activated"]
    # the reactivated user signs in again and gets new tokens
    assert me(services.token_issue(actor=org.rep_a)) == 200


def test_looking_a_token_up_is_one_query(org, django_assert_num_queries):
    token = services.token_issue(actor=org.rep_a)
    assert services.token_user(token) == org.rep_a  # the first use touches last_used_at
    with django_assert_num_queries(1):
        assert services.token_user(token) == org.rep_a


def test_a_token_issued_before_stamps_existed_keeps_working_after_the_migration(org):
    # the data migration stamps old tokens with their user's current password
    from importlib import import_module

    from django.apps import apps

    token = services.token_issue(actor=org.rep_a)
    ApiToken.objects.update(password_stamp="")
    assert me(token) == 401
    import_module("crm.accounts.migrations.0006_stamp_existing_tokens").stamp(apps, None)
    assert me(token) == 200


def test_the_password_stamp_is_not_the_password_hash(org):
    services.token_issue(actor=org.rep_a)
    stamp = ApiToken.objects.get().password_stamp
    assert stamp
    assert stamp not in org.rep_a.password
