"""The sign-ins ``crm serve`` prints at start: the demo's, only while they still work."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from crm import demo
from crm.accounts import services
from crm.accounts.demo import DEMO_PASSWORD, demo_logins
from crm.accounts.models import User
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def shown(lines: list[str]) -> list[str]:
    """The usernames offered with the demo password."""
    return [line.split()[0] for line in lines if f"/ {DEMO_PASSWORD}" in line]


def test_the_untouched_demo_users_are_offered_with_their_role_and_department():
    demo.load(customers=0)
    lines = demo_logins()
    assert shown(lines) == ["gm", "manager1", "rep1", "rep4", "front", "service", "data", "admin"]
    rep1 = next(line for line in lines if line.split()[0] == "rep1")
    assert "销售顾问 · 销售一部" in rep1


def test_a_demo_user_with_a_new_password_or_deactivated_is_not_offered():
    demo.load(customers=0)
    rep1 = User.objects.get(username="rep1")
    rep1.set_password("my-own-secret-77")
    rep1.save()
    User.objects.filter(username="rep4").update(is_active=False)
    assert shown(demo_logins()) == ["gm", "manager1", "front", "service", "data", "admin"]


def test_users_made_with_createuser_are_never_offered_with_the_demo_password():
    # a real installation: its administrator made with `crm createuser`, no demo company
    call_command(
        "createuser",
        "--username",
        "admin",
        "--password",
        "Str0ng-pass-77",
        "--role",
        "sysadmin",
        "--department",
        "总经理办公室",
        stdout=io.StringIO(),
    )
    assert demo_logins() == []


def test_an_empty_database_says_how_to_make_the_first_user():
    assert demo_logins() == [
        "还没有用户：请用 crm createuser 创建 / no user yet: crm createuser makes one"
    ]


def test_the_command_line_may_give_a_hash_but_never_plain_text_for_one():
    from django.contrib.auth.hashers import check_password, make_password

    user = services.user_create(
        actor=None,
        username="boss",
        password="",
        password_hash=make_password("Str0ng-pass-77"),
        role="sysadmin",
        department=None,
    )
    assert check_password("Str0ng-pass-77", user.password)
    assert AuditEvent.objects.filter(verb="user.created", object_id=str(user.pk)).exists()
    with pytest.raises(ValueError, match="hash"):
        services.user_create(
            actor=None, username="boss2", password="", password_hash="plain", role="gm",
            department=None,
        )  # fmt: skip
    with pytest.raises(ValueError, match="hash"):
        services.user_create(
            actor=user, username="boss3", password="", password_hash=user.password, role="rep",
            department=None,
        )  # fmt: skip
