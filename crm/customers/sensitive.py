"""The one accessor for sensitive personal fields (phone, resident ID number).

Every read, write and exact lookup of these values goes through here, so that encrypting them
at rest with a keyed hash for lookups (mission section 8) changes this module and a migration,
nothing else. Today the stored value is the normalised plaintext.
"""

from __future__ import annotations

from typing import Protocol

from django.db.models import Q

# A display copy made by crm.governance.masking carries its masked values under this key: the
# readers below return those, so a masked phone or ID number never reaches a page unmasked.
MASKED = "_masked_values"


def _masked(obj: object, field: str) -> str | None:
    shown: dict[str, str] | None = obj.__dict__.get(MASKED)
    return shown.get(field) if shown else None


class HasPhone(Protocol):
    phone_store: str


class HasIdNumber(Protocol):
    id_number_store: str


def read_phone(obj: HasPhone) -> str:
    masked = _masked(obj, "phone")
    return masked if masked is not None else obj.phone_store


def write_phone(obj: HasPhone, normalised: str) -> None:
    obj.phone_store = normalised


# The ``<> ''`` terms repeat the unique partial indexes' condition: SQLite uses a partial index
# only when the query states its condition, and otherwise scans every customer (0.1-1.4 s at
# a million rows, on every duplicate check).


def phone_lookup(normalised: str, prefix: str = "") -> Q:
    field = f"{prefix}phone_store"
    return Q(**{field: normalised}) & ~Q(**{field: ""})


def read_id_number(obj: HasIdNumber) -> str:
    masked = _masked(obj, "id_number")
    return masked if masked is not None else obj.id_number_store


def write_id_number(obj: HasIdNumber, normalised: str) -> None:
    obj.id_number_store = normalised


def id_number_lookup(normalised: str) -> Q:
    return Q(id_number_store=normalised) & ~Q(id_number_store="")


def mask_phone(value: str) -> str:
    """138****5678: for people who may see that a phone exists but not the number."""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


def mask_id_number(value: str) -> str:
    """1101**********1234: the region's first four digits and the last four."""
    return value[:4] + "**********" + value[-4:] if len(value) == 18 else "****"
