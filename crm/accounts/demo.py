"""What ``crm serve`` prints about the demo company, when it is loaded."""

from __future__ import annotations

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    ("gm", "总经理"),
    ("manager1", "销售一部经理"),
    ("rep1", "销售一部销售顾问"),
    ("rep4", "销售二部销售顾问"),
    ("data", "数据管理员（客服部）"),
    ("admin", "系统管理员（只管用户，看不到客户）"),
]


def demo_logins() -> list[str]:
    from crm.accounts.models import User

    present = set(
        User.objects.filter(username__in=[u for u, _ in DEMO_USERS], is_active=True).values_list(
            "username", flat=True
        )
    )
    return [f"{u:<10} / {DEMO_PASSWORD}   {label}" for u, label in DEMO_USERS if u in present]
