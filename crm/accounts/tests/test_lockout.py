"""The lock-out rule under pressure, and sign-in that does not tell who exists by its timing.

Five failures within the window lock a username: every further attempt, the right password
included, is refused with 429 ``locked_out``. The attempt is counted before its password is
hashed, in one short transaction that serialises the attempts of one username (a row lock on
PostgreSQL, SQLite's single writer), so a burst of parallel requests cannot slip more guesses
past the rule than one after the other would.
"""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import base_user
from django.contrib.auth.hashers import get_hasher
from django.db import connection
from django.test import Client

from crm.accounts import services
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

BURST = 24


def _sign_in(username: str, password: str) -> int:
    response = Client().post(
        "/api/v1/auth/token",
        data={"username": username, "password": password},
        content_type="application/json",
    )
    return response.status_code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_parallel_wrong_passwords_checks_only_five_and_then_locks(org):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database has one writer: nothing runs in parallel")
    # given password checks slow enough for the requests of a burst to overlap (like Argon2)
    checked = []
    real_check = base_user.check_password  # type: ignore[attr-defined]

    def slow_check(*args, **kwargs):
        checked.append(1)
        time.sleep(0.05)
        return real_check(*args, **kwargs)

    statuses: list[int] = []
    start = threading.Barrier(BURST)

    def attempt() -> None:
        try:
            start.wait()
            statuses.append(_sign_in("rep_a", "wrong-guess"))
        finally:
            connection.close()  # each thread had its own connection

    # when 24 wrong passwords arrive at once, each on its own connection
    with mock.patch.object(base_user, "check_password", slow_check):
        threads = [threading.Thread(target=attempt) for _ in range(BURST)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # then exactly five were checked and the rest refused unchecked
    assert sorted(statuses) == [401] * 5 + [429] * (BURST - 5)
    assert len(checked) == settings.LOGIN_LOCKOUT_ATTEMPTS
    # and the right password is refused too: the account is locked
    assert _sign_in("rep_a", PASSWORD) == 429
    assert AuditEvent.objects.filter(verb="user.login_failed").count() == 5
    assert AuditEvent.objects.filter(verb="user.login_locked").count() == BURST - 5 + 1


@pytest.mark.django_db
def test_the_attempt_is_counted_before_its_password_is_hashed(org):
    # given four failures
    for _ in range(4):
        assert services.login_check(username="rep_a", password="wrong", ip=None) is None
    # when the fifth is being hashed, a parallel request must already see it counted
    seen_while_hashing = []
    real_check = base_user.check_password  # type: ignore[attr-defined]

    def observing_check(*args, **kwargs):
        seen_while_hashing.append(services.is_locked_out("rep_a"))
        return real_check(*args, **kwargs)

    with mock.patch.object(base_user, "check_password", observing_check):
        assert services.login_check(username="rep_a", password="wrong", ip=None) is None

    # then it was (so a sixth request arriving meanwhile is refused without a hash)
    assert seen_while_hashing == [True]
    with pytest.raises(services.LockedOut):
        services.login_check(username="rep_a", password=PASSWORD, ip=None)


@pytest.mark.django_db
def test_refused_attempts_while_locked_do_not_hash_at_all(org):
    for _ in range(5):
        services.login_check(username="rep_a", password="wrong", ip=None)
    with mock.patch.object(base_user, "check_password") as check:
        for _ in range(3):
            with pytest.raises(services.LockedOut):
                services.login_check(username="rep_a", password=PASSWORD, ip=None)
    check.assert_not_called()


@pytest.mark.django_db
def test_a_success_forgives_the_failures_before_it(org):
    for _ in range(4):
        services.login_check(username="rep_a", password="wrong", ip=None)
    assert services.login_check(username="rep_a", password=PASSWORD, ip=None) == org.rep_a
    assert not services.is_locked_out("rep_a")
    for _ in range(4):
        services.login_check(username="rep_a", password="wrong", ip=None)
    assert not services.is_locked_out("rep_a")
    services.login_check(username="rep_a", password="wrong", ip=None)
    assert services.is_locked_out("rep_a")


@pytest.mark.django_db
def test_an_unknown_username_is_locked_out_like_a_known_one(org):
    for _ in range(5):
        assert services.login_check(username="nobody", password="x", ip=None) is None
    with pytest.raises(services.LockedOut):
        services.login_check(username="nobody", password="x", ip=None)


@pytest.mark.django_db
def test_an_overlong_username_is_refused_not_an_error(org):
    assert services.login_check(username="x" * 5000, password="x", ip=None) is None


# --- timing -----------------------------------------------------------------------------------


def _verify_calls(username: str, password: str) -> int:
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "verify", autospec=True, side_effect=hasher.verify) as verify:
        services.login_check(username=username, password=password, ip=None)
    return verify.call_count


@pytest.mark.django_db
def test_an_unknown_username_costs_one_password_hash_like_a_known_one(org):
    # the configured hasher runs once whether the user exists or not, so that the answer's
    # timing does not tell which usernames exist
    assert _verify_calls("rep_a", "wrong") == 1
    assert _verify_calls("nobody", "wrong") == 1


@pytest.mark.django_db
def test_a_deactivated_user_costs_one_password_hash_too(org):
    org.rep_a.is_active = False
    org.rep_a.save(update_fields=["is_active"])
    assert _verify_calls("rep_a", PASSWORD) == 1
    assert services.login_check(username="rep_a", password=PASSWORD, ip=None) is None
