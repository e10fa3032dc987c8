from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm import demo
from crm.accounts.models import User
from crm.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_the_roles_of_the_regulations():
    users, created = demo.load(customers=40)
    assert (users, created) == (18, 40)
    assert demo.load(customers=40) == (18, 0)
    roles = sorted(User.objects.values_list("role", flat=True))
    assert roles.count("rep") == 6
    assert roles.count("manager") == 2
    assert {"gm", "data_admin", "sysadmin", "service"} <= set(roles)
    assert Customer.objects.count() == 40
    assert Customer.objects.filter(next_due_on__isnull=False).exists()


def test_demo_if_empty_skips_a_database_with_users(org):
    call_command("demo", "--if-empty", stdout=io.StringIO())
    assert not Customer.objects.exists()


def test_createuser_for_provisioning_scripts():
    out = io.StringIO()
    call_command(
        "createuser",
        "--username",
        "boss",
        "--password",
        "Str0ng-pass-77",
        "--role",
        "gm",
        "--department",
        "总经理办公室",
        stdout=out,
    )
    user = User.objects.get(username="boss")
    assert user.role_id == "gm"
    assert user.department is not None
    assert user.department.name == "总经理办公室"
    with pytest.raises(CommandError, match="username"):
        call_command(
            "createuser",
            "--username",
            "boss",
            "--password",
            "Str0ng-pass-77",
            "--role",
            "gm",
            stdout=out,
        )
