"""Confidentiality levels (密级) of customer fields, and how far each role is cleared.

The seed (客户数据管理规定): the data-management department 负责确定客户数据的密级, and 任何部门需要
进行客户数据相关查阅…均需按照公司数据"密级"获取使用和查阅权. So: every customer field belongs to a
field group; the data administrator sets each group's level; each role is cleared up to a level
over the customers of a scope (a rep: own and shared customers; a manager: the department's).
Outside that scope a role sees only public fields. A field above what the reader is cleared for is
masked (crm.governance.masking), and revealing it is an explicit, logged action.

FIELD_GROUPS is the registry: a new sensitive field is one line (or one name in a line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.permissions import Scope
from crm.customers.sensitive import mask_id_number, mask_phone

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Level(models.IntegerChoices):
    PUBLIC = 0, _("公开")
    INTERNAL = 1, _("内部")
    CONFIDENTIAL = 2, _("秘密")
    SECRET = 3, _("机密")


MASK = "***"


def mask_text(value: str) -> str:
    return MASK if value else ""


def mask_name(value: str) -> str:
    """张** : the first character, to tell rows apart."""
    return value[:1] + "**" if value else ""


def mask_email(value: str) -> str:
    user, at, domain = value.partition("@")
    return f"{user[:1]}***@{domain}" if at else mask_text(value)


def mask_code(value: str) -> str:
    """A credit code or bank account: the first four and the last four characters."""
    return value[:4] + "*" * max(len(value) - 8, 4) + value[-4:] if len(value) >= 12 else "****"


def mask_id(value: str) -> str:
    return mask_id_number(value)


@dataclass(frozen=True)
class FieldGroup:
    code: str
    label: StrPromise
    fields: tuple[str, ...]
    default: Level
    # how a field of the group shows when masked (by field name; otherwise ``***``)
    masks: tuple[tuple[str, Callable[[str], str]], ...] = ()


FIELD_GROUPS: tuple[FieldGroup, ...] = (
    FieldGroup("name", _("名称"), ("name",), Level.PUBLIC, (("name", mask_name),)),
    FieldGroup("category", _("类别与级别"), ("category", "grade"), Level.PUBLIC),
    FieldGroup("company", _("单位名称"), ("company",), Level.INTERNAL),
    FieldGroup("address", _("地址"), ("address", "city"), Level.INTERNAL),
    FieldGroup("source", _("认知途径"), ("source",), Level.INTERNAL),
    FieldGroup(
        "phone", _("电话、传真与微信"), ("phone", "wechat", "fax"), Level.CONFIDENTIAL,
        (("phone", mask_phone), ("fax", mask_phone)),
    ),
    FieldGroup(
        "international", _("国际客户信息"),
        ("country", "website", "language", "time_zone", "company_type", "currency"),
        Level.INTERNAL,
    ),
    FieldGroup("email", _("邮箱"), ("email",), Level.CONFIDENTIAL, (("email", mask_email),)),
    FieldGroup(
        "id_number", _("身份证号码"), ("id_number",), Level.SECRET, (("id_number", mask_id),)
    ),
    FieldGroup(
        "credit_code", _("统一社会信用代码"), ("credit_code",), Level.SECRET,
        (("credit_code", mask_code),),
    ),
    FieldGroup(
        "bank", _("银行账户"), ("bank_name", "bank_account"), Level.SECRET,
        (("bank_account", mask_code),),
    ),
)  # fmt: skip
GROUPS: dict[str, FieldGroup] = {g.code: g for g in FIELD_GROUPS}
GROUP_OF_FIELD: dict[str, FieldGroup] = {f: g for g in FIELD_GROUPS for f in g.fields}
MASKERS: dict[str, Callable[[str], str]] = {
    f: dict(g.masks).get(f, mask_text) for g in FIELD_GROUPS for f in g.fields
}


@dataclass(frozen=True)
class Clearance:
    """Up to ``level`` over the customers of ``scope``; public fields only beyond it."""

    level: Level
    scope: str


NO_CLEARANCE = Clearance(Level.PUBLIC, Scope.NONE)

# The shipped roles (crm.accounts.roles.BuiltinRole) and why:
# - a rep calls and mails their own customers and those shared with them: confidential there,
#   never the ID number, credit code or bank account (secret: kept by the data-management
#   department, 售后部统一调取登记);
# - a manager or director works the department's customers: confidential over the department;
# - the general manager oversees the company: confidential over all (reveals the rest, logged);
# - service staff call customers back and handle complaints company-wide: confidential over all;
# - the front desk registers visitors without reading customer files: public only;
# - the data administrator keeps the data and sets the levels: secret over all;
# - the system administrator runs the system and reads no customer data (系统管理权限应与业务操作
#   权限隔离): public only.
# Roles the company makes start at public until the data administrator clears them.
DEFAULT_CLEARANCES: dict[str, Clearance] = {
    "rep": Clearance(Level.CONFIDENTIAL, Scope.ASSIGNED),
    "manager": Clearance(Level.CONFIDENTIAL, Scope.DEPARTMENT),
    "director": Clearance(Level.CONFIDENTIAL, Scope.DEPARTMENT),
    "gm": Clearance(Level.CONFIDENTIAL, Scope.ALL),
    "service": Clearance(Level.CONFIDENTIAL, Scope.ALL),
    "receptionist": Clearance(Level.PUBLIC, Scope.ALL),
    "data_admin": Clearance(Level.SECRET, Scope.ALL),
    "sysadmin": Clearance(Level.PUBLIC, Scope.ALL),
}

# who may reveal a masked field (governance.reveal_field), by shipped role: those who answer for
# the data beyond their own desk; a reveal is logged with who, which field, which customer, when
DEFAULT_REVEAL: dict[str, str] = {
    "manager": Scope.DEPARTMENT,
    "director": Scope.DEPARTMENT,
    "gm": Scope.ALL,
    "data_admin": Scope.ALL,
}
