"""Encrypt a short secret (a TOTP key) with a key derived from SECRET_KEY.

AES-256-GCM from ``cryptography`` (the library the customers' encrypted columns use, ADR 0009),
a random 12-byte nonce per box, the key derived from SECRET_KEY with HKDF-SHA256 under its own
label. Not the customers' keyring: these secrets are the staff's, not customer data, and rotating
the customers' keys must not sign everyone out of two-factor. Changing SECRET_KEY makes the
stored secrets unreadable (everyone enrolled enrols again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v2"
_AD = b"crm.accounts.totp"


class Unreadable(ValueError):
    """Not a box this key made (tampered with, or SECRET_KEY changed)."""


def _key(label: str) -> bytes:
    return hashlib.sha256(f"crm.secretbox.{label}:{settings.SECRET_KEY}".encode()).digest()


def _cipher() -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"crm.secretbox.aesgcm")
    return AESGCM(hkdf.derive(settings.SECRET_KEY.encode()))


def seal(plaintext: str) -> str:
    nonce = secrets.token_bytes(12)
    body = _cipher().encrypt(nonce, plaintext.encode(), _AD)
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + body).decode()


def open_box(sealed: str) -> str:
    version, _, payload = sealed.partition(":")
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except ValueError as exc:
        raise Unreadable() from exc
    if version != _VERSION or len(raw) < 12 + 16:
        raise Unreadable()
    try:
        return _cipher().decrypt(raw[:12], raw[12:], _AD).decode()
    except (InvalidTag, UnicodeDecodeError) as exc:
        raise Unreadable() from exc


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of ``value`` (recovery codes): useless without SECRET_KEY, fast to check."""
    return hmac.new(_key("recovery"), value.encode(), hashlib.sha256).hexdigest()
