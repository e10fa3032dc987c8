from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "载入演示公司（可重复执行）/ Load the demo company (idempotent)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="只在数据库里还没有任何用户时载入 / only when the database has no user yet",
        )

    def handle(self, *args: Any, customers: int, if_empty: bool, **options: Any) -> None:
        from crm import demo
        from crm.accounts.models import User

        if if_empty and User.objects.exists():
            return
        self.stdout.write("载入演示数据… / loading demo data…")
        users, created = demo.load(customers=customers)
        self.stdout.write(
            f"演示公司：{users} 个用户，新增 {created} 个客户 / "
            f"{users} users, {created} customers added"
        )
