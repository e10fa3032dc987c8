"""Password and username rules, each refusal in the reader's language.

Django 5.2 words its minimum-length message ``… at least %d character.`` while its own Chinese
catalogue still translates the older ``%(min_length)d`` wording: under zh-hans the password
refusal came out in English next to two Chinese ones. These validators keep Django's checks and
word every refusal in this project's catalogue (Chinese source, English in crm/locale/en), so a
page says it in one language.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USERNAME_MIN, USERNAME_MAX = 2, 30
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-@]*$")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short", params={})

    def get_error_message(self) -> str:
        return _("密码长度太短。密码必须包含至少 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码必须包含至少 %(n)d 个字符。") % {"n": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("这个密码太常见了。")

    def get_help_text(self) -> str:
        return _("密码不能是常见密码。")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码只包含数字。")

    def get_help_text(self) -> str:
        return _("密码不能全是数字。")


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, others."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = max(0, min(4, min_classes))

    def validate(self, password: str, user: Any = None) -> None:
        classes = (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {
            "n": self.min_classes
        }


class PersonalInfoValidator:
    """Not the user's own username or phone number, nor a password containing either."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        lowered = password.lower()
        for value in (getattr(user, "username", ""), getattr(user, "phone", "")):
            value = str(value or "").strip().lower()
            if len(value) >= 3 and value in lowered:
                raise ValidationError(self.get_help_text(), code="password_too_personal")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名或手机号。")


class PasswordHistoryValidator:
    """None of the user's last ``remember`` passwords again. Their hashes are kept
    (``PasswordHistory``) when a password is set: ``password_changed`` is Django's hook, called by
    ``User.save()`` after ``set_password()``, whichever page, command or API set it."""

    def __init__(self, remember: int = 5) -> None:
        self.remember = max(0, remember)

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or not self.remember:
            return
        from .passwords import was_used_recently

        if was_used_recently(user, password, self.remember):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            from .passwords import remember

            remember(user, keep=self.remember)

    def get_help_text(self) -> str:
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.remember}


def username_error(username: str) -> str:
    """Why ``username`` (already trimmed) is not a valid user name, or ``""``."""
    if not username:
        return _("请填写用户名")
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        return _("用户名长度应为 %(min)d–%(max)d 个字符") % {
            "min": USERNAME_MIN,
            "max": USERNAME_MAX,
        }
    if not username.isascii() or not _USERNAME.match(username):
        return _("用户名只能包含英文字母、数字和 _ . - @，并以字母或数字开头")
    return ""
