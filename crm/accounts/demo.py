"""What ``crm serve`` prints about the demo company's sign-ins, when they still work.

A demo login is printed only for a demo user that is untouched: active, and the demo's password
still signs them in (checked against the stored hash, never written). A user of that name made
with ``crm createuser`` and a password of its own, or a demo user whose password was changed, is
not printed: the banner never advertises a password that does not work or that was replaced.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

DEMO_PASSWORD = "demo1234"
# the demo users the banner offers, one per kind of work
DEMO_USERS = ["gm", "manager1", "rep1", "rep4", "front", "service", "data", "admin"]
# what a role's name alone does not say
_ROLE_NOTES = {"sysadmin": "（只管用户，看不到客户 / users only, no customer data）"}


def demo_logins() -> list[str]:
    """The banner's lines about signing in: the untouched demo users (with a heading), a hint
    when there is no user at all, else nothing."""
    from crm.accounts.models import User

    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERS, is_active=True).select_related(
            "role", "department"
        )
    }
    works: dict[str, bool] = {}  # by stored hash: the demo's users share one, checked once
    lines = []
    for username in DEMO_USERS:
        user = users.get(username)
        if user is None:
            continue
        if user.password not in works:
            works[user.password] = check_password(DEMO_PASSWORD, user.password)
        if not works[user.password]:
            continue
        role = user.role.label if user.role else "—"
        where = f" · {user.department.name}" if user.department else ""
        note = _ROLE_NOTES.get(user.role_id or "", "")
        lines.append(f"  {username:<10} / {DEMO_PASSWORD}   {role}{where}{note}")
    if lines:
        return ["演示账号 demo logins (用户名 / 密码  username / password):", *lines]
    if not User.objects.filter(is_active=True).exists():
        return ["还没有用户：请用 crm createuser 创建 / no user yet: crm createuser makes one"]
    return []
