"""``crm keys``: the encryption keys of customers' sensitive fields (ADR 0009).

crm keys status           which keys the stored values need, and which is primary
crm keys new              add a new primary key (to the key file; or print the setting)
crm keys rotate           re-encrypt everything under the primary key (resumable)
crm keys retire k1        drop a key no stored value needs any more
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.customers import crypto, keys


class Command(BaseCommand):
    help = "加密密钥：查看、新增、轮换、停用 / encryption keys: status, new, rotate, retire"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="各密钥加密的数据量 / values per key")
        sub.add_parser("new", help="新增主密钥 / add a new primary key")
        rotate = sub.add_parser(
            "rotate", help="用主密钥重新加密，可中断后续跑 / re-encrypt under the primary key"
        )
        rotate.add_argument("--batch", type=int, default=keys.BATCH)
        rotate.add_argument(
            "--new",
            action="store_true",
            help="先新增主密钥（仅密钥文件）/ add a new primary key first (key file only)",
        )
        retire = sub.add_parser("retire", help="停用不再使用的旧密钥 / drop an unused key")
        retire.add_argument("key_id")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "status":
            self._status()
        elif action == "new":
            self._new()
        elif action == "rotate":
            if opts["new"]:
                self._new()
            self._rotate(opts["batch"])
        else:
            self._retire(opts["key_id"])

    def _status(self) -> None:
        ring = crypto.keyring()
        where = ring.source or "CRM_ENCRYPTION_KEY"
        self.stdout.write(
            f"keyring: {where}; primary {ring.primary}; keys {', '.join(ring.secrets)}"
        )
        for column, counts in keys.usage().items():
            text = ", ".join(f"{kid}: {n:,}" for kid, n in sorted(counts.items())) or "—"
            self.stdout.write(f"  {column:34} {text}")

    def _save(self, ring: crypto.Keyring, what: str) -> None:
        if ring.source is None:
            self.stdout.write(
                f"密钥来自 CRM_ENCRYPTION_KEY：请将其设为下面的值并重启，再运行 crm keys rotate / "
                f"the keys come from CRM_ENCRYPTION_KEY: set it to this value ({what}), "
                "restart, then run crm keys rotate:"
            )
            self.stdout.write(ring.text().strip().replace("\n", ";"))
            raise SystemExit(0)
        crypto.write_file(ring.source, ring)
        crypto.forget()
        self.stdout.write(f"{ring.source}: {what}")

    def _new(self) -> None:
        ring = crypto.keyring().with_new_key()
        self._save(ring, f"new primary key {ring.primary}")

    def _rotate(self, batch: int) -> None:
        if batch < 1:
            raise CommandError("--batch ≥ 1")
        primary = crypto.keyring().primary

        def progress(p: keys.Progress) -> None:
            self.stdout.write(f"  {p.table}.{p.column}: {p.done:,} re-encrypted (id ≤ {p.last_id})")

        totals = keys.rotate(batch=batch, on_batch=progress)
        self.stdout.write(f"rotated to {primary}: {sum(totals.values()):,} values re-encrypted")
        old = sorted(set(crypto.keyring().secrets) - keys.keys_in_use())
        old = [k for k in old if k != primary]
        if old:
            self.stdout.write(f"no stored value needs {', '.join(old)} now: crm keys retire <id>")

    def _retire(self, key_id: str) -> None:
        ring = crypto.keyring()
        if key_id not in ring.secrets:
            raise CommandError(f"no key {key_id} in the keyring")
        if key_id == ring.primary:
            raise CommandError(f"{key_id} is the primary key: add a new one first (crm keys new)")
        if key_id in keys.keys_in_use():
            raise CommandError(
                f"仍有数据使用密钥 {key_id}：请先运行 crm keys rotate / stored values still need "
                f"{key_id}: run crm keys rotate first"
            )
        self._save(ring.without(key_id), f"key {key_id} retired")
