"""Helpers for API tests: requests as a persona with a real bearer token."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as DjangoClient

from crm.accounts import services as accounts
from crm.accounts.models import User

Call = Callable[..., Any]
LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages() -> None:
    """Compile the .po catalogues when their .mo is missing or stale (``make`` does the same;
    this lets a bare ``pytest`` check the English messages too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from django.utils.translation import trans_real

    changed = False
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src:
            catalog = read_po(src)
        with mo.open("wb") as out:
            write_mo(out, catalog)
        changed = True
    if changed:  # forget catalogues Django may have loaded before
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]


@pytest.fixture
def call(client: DjangoClient, db: None) -> Call:
    """``call(actor, "GET", "customers?q=张")`` → response; ``actor=None`` is anonymous.

    ``body`` is sent as JSON; ``lang`` sets Accept-Language. Paths are under ``/api/v1/``.
    """
    tokens: dict[int, str] = {}

    def _call(
        actor: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        lang: str | None = None,
        token: str | None = None,
        client: Client = client,
    ) -> Any:
        headers: dict[str, str] = {}
        if token is None and actor is not None:
            if actor.pk not in tokens:
                tokens[actor.pk] = accounts.token_issue(actor=actor, name="test")
            token = tokens[actor.pk]
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if lang:
            headers["HTTP_ACCEPT_LANGUAGE"] = lang
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(client, method.lower())(f"/api/v1/{path}", **kwargs, **headers)

    return _call
