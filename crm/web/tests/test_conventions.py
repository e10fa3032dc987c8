"""House rules for the web adapter: no ORM managers and no saves; templates use no inline
script or inline event handlers (the CSP would block them)."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent


def _sources():
    return [p for p in WEB.rglob("*.py") if "tests" not in p.parts]


def test_no_orm_access_in_views_and_forms():
    offenders = [
        str(p.relative_to(WEB))
        for p in _sources()
        if re.search(r"\.objects\.|\.save\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_templates_have_no_inline_scripts_or_handlers():
    offenders = []
    for path in WEB.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)", text) or re.search(
            r"\son(click|change|submit|load|input|error|focus|blur|key\w+|mouse\w+)=|hx-on", text
        ):
            offenders.append(str(path.relative_to(WEB)))
    assert offenders == []


def test_pages_load_only_vendored_assets(client, org):
    body = client.get("/login/").content.decode()
    assert "/static/web/vendor/htmx.min.js" in body
    assert not re.search(r'(src|href)="(https?:)?//', body)
    assert "script-src 'self'" in client.get("/login/")["Content-Security-Policy"]


def test_every_stylesheet_closes_each_block_it_opens():
    """A rule left open (a merge that lost a ``}``) silently swallows every rule after it."""
    from pathlib import Path

    for sheet in (Path(__file__).resolve().parents[1] / "static" / "web").glob("*.css"):
        depth = 0
        for number, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{sheet.name}:{number} closes a block never opened"
        assert depth == 0, f"{sheet.name} leaves {depth} block(s) open"
