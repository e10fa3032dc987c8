"""Helpers for API tests: requests as a persona with a real bearer token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as DjangoClient

from crm.accounts import services as accounts
from crm.accounts.models import User

Call = Callable[..., Any]


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
