"""``crm audit verify``: check the audit log's hash chain (sealing the backlog first) and say
where it breaks; exit status 1 on a break. ``crm audit seal``: seal the backlog now (the
scheduler does it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from crm.governance import chain


class Command(BaseCommand):
    help = "审计日志防篡改：封存并校验哈希链 / Seal and verify the audit log's hash chain"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="seal the backlog, then check every link")
        verify.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="PostgreSQL connections checking parts of the chain at once (default: 2)",
        )
        verify.add_argument(
            "--no-seal", action="store_true", help="check only what is already sealed"
        )
        sub.add_parser("seal", help="seal the entries written since the last seal")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "seal":
            sealed = chain.seal()
            self.stdout.write(_("已封存 %(n)s 条审计日志") % {"n": f"{sealed:,}"})
            return
        report = chain.verify(seal_first=not opts["no_seal"], jobs=max(1, opts["jobs"]))
        if report.sealed_now:
            self.stdout.write(_("先封存了 %(n)s 条新日志") % {"n": f"{report.sealed_now:,}"})
        self.stdout.write(
            _("已校验 %(n)s 条审计日志，用时 %(s).1f 秒")
            % {"n": f"{report.checked:,}", "s": report.seconds}
        )
        self.stdout.write(
            _("链尾：第 %(position)s 条，哈希 %(hash)s（请另行保存，以便发现末尾被删除）")
            % {"position": report.head_position, "hash": report.head_hash.hex()}
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(_("哈希链完整")))
            return
        for brk in report.breaks:
            self.stderr.write(f"[{brk.kind}] {brk.describe()}")
        if report.more_breaks:
            self.stderr.write(_("……另有 %(n)s 处断裂") % {"n": f"{report.more_breaks:,}"})
        raise CommandError(
            _("哈希链断裂 %(n)s 处：审计日志被篡改")
            % {"n": len(report.breaks) + report.more_breaks}
        )
