from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
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
        parser.add_argument(
            "--industry",
            choices=["auto", "realestate", "truck", "trade", "shop"],
            help="另装该行业的调查表模板及示例答卷、销售流程及示例销售机会 / also install the "
            "industry's forms with made-up responses (crm.questionnaires) and its pipeline with "
            "made-up opportunities (crm.sales)",
        )

    def handle(
        self,
        *args: Any,
        customers: int,
        if_empty: bool,
        industry: str | None = None,
        **options: Any,
    ) -> None:
        from crm import demo
        from crm.accounts.models import User

        if if_empty and User.objects.exists():
            return
        self.stdout.write(
            f"载入演示公司（{customers} 个客户）/ loading the demo company ({customers} customers)"
        )
        started = time.monotonic()
        done = 0

        @contextmanager
        def step(label: str) -> Iterator[None]:
            """One counted step: its label when it begins, its time when it ends."""
            nonlocal done
            done += 1
            self.stdout.write(f"  [{done}/{len(demo.STEPS)}] {label} … ", ending="")
            self.stdout.flush()
            began = time.monotonic()
            yield
            self.stdout.write(f"{time.monotonic() - began:.1f} s")

        users, created = demo.load(customers=customers, step=step)
        self.stdout.write(
            f"演示公司：{users} 个用户，新增 {created} 个客户 / "
            f"{users} users, {created} customers added ({time.monotonic() - started:.1f} s)"
        )
        if industry:
            from crm.questionnaires import installer

            forms, responses = installer.install_demo(industry=industry)
            self.stdout.write(
                f"行业模板 {industry}：{forms} 张表单，{responses} 份示例答卷 / "
                f"{forms} forms, {responses} responses"
            )
            from crm.sales import demo as sales_demo

            pipeline, made = sales_demo.install_demo(industry=industry)
            self.stdout.write(
                f"销售流程 {pipeline.name}：{made} 个示例销售机会 / {made} opportunities"
            )
