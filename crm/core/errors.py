"""Domain errors. Services raise these; the web and API adapters translate them.

The API turns each into ``{"error": {"code", "message", "fields"}}`` with the status below.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "error"
    default_message: str | Promise = _("请求无法处理")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        self.extra = extra or {}
        super().__init__(str(self.message))

    @property
    def first_message(self) -> str:
        """One line to show where there is no form to mark: the first field's message, else
        the error's own."""
        return str(next(iter(self.fields.values()), self.message))


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("记录不存在或无权查看")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("您没有执行此操作的权限")


class Invalid(DomainError):
    status = 422
    code = "invalid"
    default_message = _("输入有误，请检查标出的字段")


class Duplicate(DomainError):
    status = 409
    code = "duplicate"
    default_message = _("已存在重复的客户")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("该记录已被他人修改，请刷新后重试")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("请先登录或提供有效的 API 令牌")


class LockedOut(DomainError):
    status = 429
    code = "locked_out"
    default_message = _("登录失败次数过多，账户已临时锁定，请稍后再试")


class StateConflict(Invalid):
    """A well-formed request the record's current state refuses (a transition its category does
    not allow, an edit that would break a rule together with what is stored, a closed plan): the
    same message per field as ``Invalid``, but 409, since the request alone is not wrong."""

    status = 409
    code = "state_conflict"
    default_message = _("该操作与记录的当前状态不符")
