"""Compile the reports' English catalogue for tests that run without ``make messages``."""

from __future__ import annotations

from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def compile_reports_catalogue() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from django.utils.translation import trans_real

    changed = False
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src, mo.open("wb") as out:
            write_mo(out, read_po(src))
        changed = True
    if changed:  # forget catalogues Django may have loaded before
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]
