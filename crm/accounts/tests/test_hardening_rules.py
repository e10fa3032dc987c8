"""The password rules wherever a password is set (the administrator's reset, the command line),
the password history's length, and the sealed TOTP secret."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from crm.accounts import services
from crm.accounts.models import PasswordHistory, User
from crm.accounts.secretbox import Unreadable, open_box, seal
from crm.core.errors import Invalid
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_administrator_cannot_reset_to_a_recent_password(org):
    services.user_password_reset(actor=org.sysadmin, user_id=org.rep_a.pk, new_password="Xin-2026a")
    with pytest.raises(Invalid) as refused:
        services.user_password_reset(
            actor=org.sysadmin, user_id=org.rep_a.pk, new_password=PASSWORD
        )
    assert "不能使用最近 5 次用过的密码" in refused.value.fields["password"]


def test_a_new_user_may_not_get_a_password_with_their_username(org):
    with pytest.raises(Invalid) as refused:
        services.user_create(
            actor=org.sysadmin,
            username="zhangwei",
            password="Zhangwei-2026",
            role="rep",
            department=org.sales1,
        )
    assert "密码不能包含用户名或手机号" in refused.value.fields["password"]


def test_only_the_last_passwords_are_kept(org, settings):
    for n in range(7):
        org.rep_a.set_password(f"Xin-mima-{n}x")
        org.rep_a.save()
    assert PasswordHistory.objects.filter(user=org.rep_a).count() == 5
    # the oldest are forgotten: the password of the start may be used again
    services.password_change(actor=org.rep_a, old_password="Xin-mima-6x", new_password=PASSWORD)


def test_the_command_line_applies_the_rules_too(org):
    with pytest.raises(Exception, match="至少 3 类"):
        call_command(
            "createuser",
            username="wangfang",
            password="abcdefgh12",
            role="rep",
            department="销售一部",
        )
    assert not User.objects.filter(username="wangfang").exists()


def test_a_sealed_secret_opens_only_untouched():
    box = seal("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in box
    assert open_box(box) == "JBSWY3DPEHPK3PXP"
    assert seal("JBSWY3DPEHPK3PXP") != box  # a fresh nonce each time
    tampered = box[:-6] + ("A" if box[-6] != "A" else "B") + box[-5:]
    with pytest.raises(Unreadable):
        open_box(tampered)


def test_a_secret_sealed_under_another_key_does_not_open(settings):
    box = seal("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY = "another-key-" + "x" * 40
    with pytest.raises(Unreadable):
        open_box(box)
