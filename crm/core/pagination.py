"""Keyset (cursor) pagination: pages are ``id < last_id ORDER BY id DESC``, never OFFSET/COUNT.

A cursor is the position after the page's last row, written so that every string its pattern
admits is a position (``ID_CURSOR``: an id; ``KEY_CURSOR``: a sort key and an id): a cursor an
integrator builds or mangles either fails the pattern the API documents (422) or names a place
in the list, never an error of the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils.translation import gettext as _

from .errors import Invalid

T = TypeVar("T")

ID_CURSOR = r"^([0-9]{1,18})?$"  # empty: the first page
KEY_CURSOR = r"^(-?[0-9]{1,16}_[0-9]{1,18})?$"
_ID = re.compile(ID_CURSOR)
_KEY = re.compile(KEY_CURSOR)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _invalid() -> Invalid:
    return Invalid(fields={"cursor": _("分页游标无效")})


def encode_cursor(last_id: int) -> str:
    return str(last_id)


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not _ID.match(cursor):
        raise _invalid()
    return int(cursor)


def encode_key_cursor(key: int, last_id: int) -> str:
    """The position after a row sorted by an integer ``key`` (a day, a moment) and its id."""
    return f"{key}_{last_id}"


def decode_key_cursor(cursor: str | None, *, lowest: int, highest: int) -> tuple[int, int] | None:
    """(key, id) of a ``KEY_CURSOR``, the key held within [``lowest``, ``highest``]."""
    if not cursor:
        return None
    if not _KEY.match(cursor):
        raise _invalid()
    key, last_id = cursor.split("_")
    return min(max(int(key), lowest), highest), int(last_id)


def invalid_cursor() -> Invalid:
    """The error of a cursor that names no place in the list (callers start from page one)."""
    return _invalid()


# A position in a list sorted by a key that may be missing: the key (an integer: a moment in
# microseconds, a day's ordinal, a rank, an id) or ``n`` (the rows without it, which come last)
# and the row's id.
SORT_CURSOR = r"^((-?[0-9]{1,16}|n)_[0-9]{1,18})?$"
_SORT = re.compile(SORT_CURSOR)
# either: what a list that may be sorted takes (an id without a sort, a sort position with one)
LIST_CURSOR = r"^([0-9]{1,18}|(-?[0-9]{1,16}|n)_[0-9]{1,18})?$"


def encode_sort_cursor(key: int | None, last_id: int) -> str:
    return f"{'n' if key is None else key}_{last_id}"


def decode_sort_cursor(cursor: str | None) -> tuple[int | None, int] | None:
    """(key or None for the keyless rows, id) of a ``SORT_CURSOR``; None for the first page."""
    if not cursor:
        return None
    if not _SORT.match(cursor):
        raise _invalid()
    key, last_id = cursor.split("_")
    return (None if key == "n" else int(key)), int(last_id)
