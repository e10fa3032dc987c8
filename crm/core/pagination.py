"""Keyset (cursor) pagination: pages are ``id < last_id ORDER BY id DESC``, never OFFSET/COUNT."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils.translation import gettext as _

from .errors import Invalid

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["id"]
        if not isinstance(value, int):
            raise TypeError
        return value
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise Invalid(fields={"cursor": _("分页游标无效")}) from exc
