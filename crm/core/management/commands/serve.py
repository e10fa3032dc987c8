"""Serve the application with waitress, a production WSGI server that also runs on Windows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动网页服务（waitress）/ Serve the CRM with a production WSGI server"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from waitress import serve

        from config.wsgi import application
        from crm.accounts.demo import demo_logins

        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(f"\n客户管理系统 CRM  →  http://{shown}:{port}/")
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"数据目录 data: {settings.DATA_DIR}   数据库 database: {engine}")
        logins = demo_logins()
        if logins:
            self.stdout.write("演示账号 demo logins (password / 密码 as shown):")
            for line in logins:
                self.stdout.write(f"  {line}")
        self.stdout.write("按 Ctrl+C 停止 / Ctrl+C to stop\n")
        serve(application, host=host, port=port, threads=threads, ident="crm")
