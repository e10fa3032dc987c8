"""House rule: API handlers parse input, call one service or selector, and render. They never
query or save models themselves (so every read and write passes the permission choke point)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for p in API.glob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_queries_or_saves_in_api_code(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\.objects\.|\.save\(|\.delete\(\)|\.update\(", text)


def test_the_rule_is_checked_on_the_handlers():
    assert {"accounts.py", "customers.py"} <= {p.name for p in SOURCES}
