from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.accounts import services
from crm.accounts.models import Department
from crm.accounts.roles import BuiltinRole
from crm.core.errors import Invalid


class Command(BaseCommand):
    help = "创建用户（供部署脚本使用）/ Create a user for provisioning scripts"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--role", required=True, help="角色代码，如 " + ", ".join(BuiltinRole.values)
        )
        parser.add_argument("--department", default="", help="部门名称；不存在时创建")
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        dept: Department | None = None
        if opts["department"]:
            dept = services.department_ensure(name=opts["department"])
        try:
            user = services.user_create(
                actor=None,
                username=opts["username"],
                password=opts["password"],
                role=opts["role"],
                department=dept,
                full_name=opts["full_name"],
            )
        except Invalid as exc:
            raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from exc
        self.stdout.write(f"created {user.username} ({user.role_name})")
