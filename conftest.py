"""Personas shared by every test: two reps in one department, a rep in another, their managers,
the sales director (whose head office covers both sales departments), the front desk of 销售一部,
a service colleague, the data administrator, the general manager and the system administrator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm.accounts import services as accounts
from crm.accounts.models import Department, User


@pytest.fixture(autouse=True)
def back_to_the_default_language():
    """A request in English (Accept-Language, the language cookie) leaves English active in the
    test's thread: LocaleMiddleware activates a language and nothing deactivates it. Without
    this, every later test in the run would see English messages."""
    from django.utils import translation

    yield
    translation.deactivate()


@dataclass
class Org:
    head_office: Department
    sales1: Department
    sales2: Department
    service: Department
    rep_a: User
    rep_b: User
    rep_c: User
    manager: User
    manager2: User
    data_admin: User
    gm: User
    sysadmin: User
    director: User
    receptionist: User
    service_staff: User


def _user(username: str, role: str, dept: Department, full_name: str) -> User:
    return accounts.user_create(
        actor=None,
        username=username,
        password="pass-1234",
        role=role,
        department=dept,
        full_name=full_name,
        validate_password=False,
    )


@pytest.fixture
def org(db: None) -> Org:
    head = accounts.department_ensure(name="总经理办公室")
    s1 = accounts.department_ensure(name="销售一部", parent=head)
    s2 = accounts.department_ensure(name="销售二部", parent=head)
    svc = accounts.department_ensure(name="客服部", parent=head, data_mgmt=True)
    return Org(
        head_office=head,
        sales1=s1,
        sales2=s2,
        service=svc,
        rep_a=_user("rep_a", "rep", s1, "王小明"),
        rep_b=_user("rep_b", "rep", s1, "李小红"),
        rep_c=_user("rep_c", "rep", s2, "赵大勇"),
        manager=_user("manager", "manager", s1, "陈经理"),
        manager2=_user("manager2", "manager", s2, "周经理"),
        data_admin=_user("data", "data_admin", svc, "孙数据"),
        gm=_user("gm", "gm", head, "钱总"),
        sysadmin=_user("admin", "sysadmin", head, "系统管理员"),
        director=_user("director", "director", head, "吴总监"),
        receptionist=_user("front", "receptionist", s1, "郑前台"),
        service_staff=_user("service", "service", svc, "冯客服"),
    )


PASSWORD = "pass-1234"
