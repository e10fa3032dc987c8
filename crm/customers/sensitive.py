"""The one accessor for sensitive personal fields (phone, resident ID number, bank account).

Every read, write and exact lookup of these values goes through here. At rest they are
encrypted (AES-256-GCM, ``crypto``), each with a keyed hash beside it (its *blind index*: HMAC-
SHA256 under a key of its own, truncated) that exact lookups and the unique constraints use
instead of the value. ADR 0009 says what this costs and what it leaks.

The ``*_store`` attributes hold ciphertext (``k1:…``); the ``*_index`` ones the blind index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Q

from crm.core.validators import mask_foreign_phone

from . import crypto

if TYPE_CHECKING:
    from crm.accounts.models import User

PHONE = "phone"
ID_NUMBER = "id_number"
BANK_ACCOUNT = "bank_account"

# (table, stored column, purpose): the customers app's encrypted columns as its data migration
# (0017) found them. Frozen with that migration; what rotation covers is ``encrypted_columns()``.
ENCRYPTED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("customers_customer", "phone", PHONE),
    ("customers_customer", "id_number", ID_NUMBER),
    ("customers_customer", "bank_account", BANK_ACCOUNT),
    ("customers_contact", "phone", PHONE),
)


def encrypted_columns() -> list[tuple[str, str, str]]:
    """Every encrypted column of every app, as (table, column, purpose): a model declares its own
    in ``encrypted_fields`` ({field name: purpose}), next to the fields. Key rotation and key-use
    counts read this, so a new app's ciphertext is not left under a retired key."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        declared: Mapping[str, str] = getattr(model, "encrypted_fields", {})
        columns = {f.name: f.column for f in model._meta.concrete_fields}
        for name, purpose in declared.items():
            found.append((model._meta.db_table, columns[name], purpose))
    return found


# A display copy made by crm.governance.masking carries its masked values under this key: the
# readers below return those, so a masked phone or ID number never reaches a page unmasked.
MASKED = "_masked_values"


def _masked(obj: object, field: str) -> str | None:
    shown: dict[str, str] | None = obj.__dict__.get(MASKED)
    return shown.get(field) if shown else None


class HasPhone(Protocol):
    phone_store: str
    phone_index: str


class HasIdNumber(Protocol):
    id_number_store: str
    id_number_index: str


class HasBankAccount(Protocol):
    bank_account_store: str


def _plain(obj: Any, stored: str, purpose: str) -> str:
    """Decrypted once per object and stored value (a page reads a phone several times)."""
    if not stored:
        return ""
    memo: dict[tuple[str, str], str] = obj.__dict__.setdefault("_sensitive_plain", {})
    key = (purpose, stored)
    value = memo.get(key)
    if value is None:
        value = memo[key] = crypto.decrypt(stored, purpose)
    return value


def _remember(obj: Any, stored: str, purpose: str, plain: str) -> None:
    if stored:
        obj.__dict__.setdefault("_sensitive_plain", {})[(purpose, stored)] = plain


def sealed(value: str, purpose: str) -> tuple[str, str]:
    """``(ciphertext, blind index)`` of a normalised value, for bulk writers (bench, demo)."""
    return crypto.encrypt(value, purpose), crypto.blind_index(value, purpose)


# fields kept encrypted wherever they are stored, by field name (a change request's payload too)
PURPOSES: dict[str, str] = {"phone": PHONE, "id_number": ID_NUMBER, "bank_account": BANK_ACCOUNT}


def seal_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with the sensitive ones encrypted (a change request's requested and former
    values, stored as JSON): the payload and its audit row hold no plaintext phone."""
    return {
        f: crypto.encrypt(v, PURPOSES[f]) if f in PURPOSES and isinstance(v, str) and v else v
        for f, v in values.items()
    }


def open_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``seal_values`` undone (values stored before encryption read as they are)."""
    return {
        f: crypto.decrypt(v, PURPOSES[f])
        if f in PURPOSES and isinstance(v, str) and crypto.is_encrypted(v)
        else v
        for f, v in values.items()
    }


def read_phone(obj: HasPhone) -> str:
    masked = _masked(obj, "phone")
    return masked if masked is not None else _plain(obj, obj.phone_store, PHONE)


def write_phone(obj: HasPhone, normalised: str) -> None:
    obj.phone_store, obj.phone_index = sealed(normalised, PHONE)
    _remember(obj, obj.phone_store, PHONE, normalised)


# The ``<> ''`` terms repeat the unique partial indexes' condition: SQLite uses a partial index
# only when the query states its condition, and otherwise scans every customer (0.1-1.4 s at
# a million rows, on every duplicate check).


def phone_lookup(normalised: str, prefix: str = "") -> Q:
    field = f"{prefix}phone_index"
    return Q(**{field: crypto.blind_index(normalised, PHONE)}) & ~Q(**{field: ""})


def phone_indexes(normalised: Iterable[str]) -> dict[str, str]:
    """Blind index → phone, for looking many phones up in one query (``phone_index__in``)."""
    return {crypto.blind_index(p, PHONE): p for p in normalised if p}


def read_id_number(obj: HasIdNumber) -> str:
    masked = _masked(obj, "id_number")
    return masked if masked is not None else _plain(obj, obj.id_number_store, ID_NUMBER)


def write_id_number(obj: HasIdNumber, normalised: str) -> None:
    obj.id_number_store, obj.id_number_index = sealed(normalised, ID_NUMBER)
    _remember(obj, obj.id_number_store, ID_NUMBER, normalised)


def id_number_lookup(normalised: str) -> Q:
    return Q(id_number_index=crypto.blind_index(normalised, ID_NUMBER)) & ~Q(id_number_index="")


def read_bank_account(obj: HasBankAccount) -> str:
    masked = _masked(obj, "bank_account")
    return masked if masked is not None else _plain(obj, obj.bank_account_store, BANK_ACCOUNT)


def write_bank_account(obj: HasBankAccount, normalised: str) -> None:
    obj.bank_account_store = crypto.encrypt(normalised, BANK_ACCOUNT)
    _remember(obj, obj.bank_account_store, BANK_ACCOUNT, normalised)


def phone_of_stored(stored: str) -> str:
    """A phone as read by raw SQL (the search index's rebuild): decrypted, or as it is when a
    migration older than the encryption (0017) rebuilds the index over plaintext rows."""
    return crypto.decrypt(stored, PHONE) if crypto.is_encrypted(stored) else stored


def phone_fragment_tokens(digits: str) -> list[str]:
    """The search tokens of a phone's (or a typed fragment's) digits: the keyed hash of every
    run of four, in order (a fragment of n digits is the phrase of its n - 3 tokens)."""
    return [crypto.fragment_token(digits[i : i + 4]) for i in range(len(digits) - 3)]


# --- who may see phones ---------------------------------------------------------------------
# Searching by a phone fragment shows whose numbers contain it, so it is for those who may see
# phones in full. The confidentiality levels (issue 9 §1, masking) decide who they are and
# register their rule here with ``set_phone_rule``; until then everyone who may search may.

_phone_rule: Callable[[User], bool] | None = None


def set_phone_rule(rule: Callable[[User], bool] | None) -> None:
    global _phone_rule
    _phone_rule = rule


def may_see_phones(actor: User) -> bool:
    return True if _phone_rule is None else _phone_rule(actor)


def mask_phone(value: str) -> str:
    """138****5678: for people who may see that a phone exists but not the number; a foreign
    one (E.164) keeps its country code and area: ``+442079460958`` → ``+44 20****0958``."""
    foreign = mask_foreign_phone(value)
    if foreign is not None:
        return foreign
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


def mask_id_number(value: str) -> str:
    """1101**********1234: the region's first four digits and the last four."""
    return value[:4] + "**********" + value[-4:] if len(value) == 18 else "****"
