"""Serve the application with waitress, a production WSGI server that also runs on Windows, and
run the background work (the task loop and the scheduler, ``crm.core.management.background``) in
the same process, unless ``--no-worker`` says that ``crm worker`` runs apart.

Ctrl+C (SIGINT) and SIGTERM stop both: the server closes, a task being run finishes, then the
process exits with status 0.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from crm.core.management.background import BackgroundWork

STOP_TIMEOUT_SECONDS = 30.0


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (systemd, docker stop, kill): stop as Ctrl+C does; waitress closes on it."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "启动网页服务（waitress）和后台任务 / Serve the CRM and run its background work"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000, help="0: any free port")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="不在本进程运行后台任务（另行运行 crm worker）/ do not run the task loop and "
            "the scheduler here (run `crm worker` apart)",
        )

    def handle(
        self, *args: Any, host: str, port: int, threads: int, worker: bool, **options: Any
    ) -> None:
        from waitress import create_server

        from config.wsgi import application
        from crm.accounts.demo import demo_logins

        server = create_server(application, host=host, port=port, threads=threads, ident="crm")
        port = getattr(server, "effective_port", port)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(f"\n客户管理系统 CRM  →  http://{shown}:{port}/")
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"数据目录 data: {settings.DATA_DIR}   数据库 database: {engine}")
        background = BackgroundWork() if worker else None
        if background is not None:
            self.stdout.write(
                "后台任务：在本进程运行（任务队列、提醒、每日摘要）/ background work: running "
                "in this process (tasks, reminders, daily digest)"
            )
        else:
            self.stdout.write(
                "后台任务：未在本进程运行，请另行运行 crm worker / background work: not run "
                "here (--no-worker): run `crm worker` apart"
            )
        for line in demo_logins():
            self.stdout.write(line)
        self.stdout.write("按 Ctrl+C 停止 / Ctrl+C to stop\n")
        self.stdout.flush()
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            if background is not None:
                background.start()
            server.run()  # until Ctrl+C or SIGTERM (waitress closes its sockets then)
        except KeyboardInterrupt:
            server.close()
        finally:
            signal.signal(signal.SIGTERM, previous)
            if background is not None:
                self.stdout.write("正在停止后台任务… / stopping the background work…")
                self.stdout.flush()
                try:
                    stopped = background.stop(STOP_TIMEOUT_SECONDS)
                except KeyboardInterrupt:  # Ctrl+C again: do not wait for the task
                    stopped = False
                if stopped:
                    self.stdout.write("已停止 / stopped")
                else:
                    self.stderr.write(
                        f"后台任务 {STOP_TIMEOUT_SECONDS:.0f} 秒内未结束，已中断 / a task was "
                        "still running and was cut short"
                    )
