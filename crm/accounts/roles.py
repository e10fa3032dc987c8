"""Roles, the actions each may perform and the data scope each sees.

Separation of duties (客户数据管理规定): the system administrator manages users and sees no
customer data; the data-management department (数据管理员) sees all customer data and restores
deleted records; a manager sees the department and its sub-departments; a rep sees own records.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.permissions import Scope


class Role(models.TextChoices):
    REP = "rep", _("销售顾问")
    MANAGER = "manager", _("销售经理")
    DATA_ADMIN = "data_admin", _("数据管理员")
    GM = "gm", _("总经理")
    SYSADMIN = "sysadmin", _("系统管理员")


VIEW_CUSTOMER = "customers.view_customer"
ADD_CUSTOMER = "customers.add_customer"
CHANGE_CUSTOMER = "customers.change_customer"
DELETE_CUSTOMER = "customers.delete_customer"
RESTORE_CUSTOMER = "customers.restore_customer"
VIEW_DELETED_CUSTOMER = "customers.view_deleted_customer"
VIEW_AUDIT = "governance.view_auditevent"
MANAGE_USERS = "accounts.manage_users"
CHANGE_GRADEPOLICY = "customers.change_gradepolicy"
COMMENT_DEFEAT = "customers.comment_defeat"
VIEW_TEAM_DAY = "activities.view_team_day"
VIEW_REPORTS = "reports.view_reports"

_CUSTOMER_WORK = frozenset({VIEW_CUSTOMER, ADD_CUSTOMER, CHANGE_CUSTOMER, DELETE_CUSTOMER})

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.REP: _CUSTOMER_WORK | {VIEW_REPORTS},
    Role.MANAGER: _CUSTOMER_WORK
    | {CHANGE_GRADEPOLICY, COMMENT_DEFEAT, VIEW_TEAM_DAY, VIEW_REPORTS},
    Role.DATA_ADMIN: _CUSTOMER_WORK
    | {RESTORE_CUSTOMER, VIEW_DELETED_CUSTOMER, VIEW_AUDIT, VIEW_REPORTS},
    Role.GM: _CUSTOMER_WORK
    | {VIEW_AUDIT, CHANGE_GRADEPOLICY, COMMENT_DEFEAT, VIEW_TEAM_DAY, VIEW_REPORTS},
    Role.SYSADMIN: frozenset({MANAGE_USERS}),
}

ROLE_SCOPE: dict[str, str] = {
    Role.REP: Scope.OWN,
    Role.MANAGER: Scope.DEPARTMENT,
    Role.DATA_ADMIN: Scope.ALL,
    Role.GM: Scope.ALL,
    Role.SYSADMIN: Scope.NONE,
}
