"""Encrypt a short secret (a TOTP key) with a key derived from SECRET_KEY, standard library only.

The construction is encrypt-then-MAC with HMAC-SHA256 as the pseudo-random function: a random
16-byte nonce, a keystream of HMAC(enc_key, nonce || counter) blocks XORed with the plaintext,
and HMAC(mac_key, nonce || ciphertext) as the tag, checked in constant time before anything is
decrypted. Both keys are derived from SECRET_KEY with distinct labels, so changing SECRET_KEY
makes the stored secrets unreadable (everyone enrolled enrols again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

_VERSION = "v1"


class Unreadable(ValueError):
    """Not a box this key made (tampered with, or SECRET_KEY changed)."""


def _key(label: str) -> bytes:
    return hashlib.sha256(f"crm.secretbox.{label}:{settings.SECRET_KEY}".encode()).digest()


def _keystream(nonce: bytes, length: int) -> bytes:
    key = _key("enc")
    blocks = (
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
        for i in range((length + 31) // 32)
    )
    return b"".join(blocks)[:length]


def seal(plaintext: str) -> str:
    data = plaintext.encode()
    nonce = secrets.token_bytes(16)
    body = bytes(a ^ b for a, b in zip(data, _keystream(nonce, len(data)), strict=True))
    tag = hmac.new(_key("mac"), nonce + body, hashlib.sha256).digest()
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + body + tag).decode()


def open_box(sealed: str) -> str:
    version, _, payload = sealed.partition(":")
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except ValueError as exc:
        raise Unreadable() from exc
    if version != _VERSION or len(raw) < 48:
        raise Unreadable()
    nonce, body, tag = raw[:16], raw[16:-32], raw[-32:]
    expected = hmac.new(_key("mac"), nonce + body, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise Unreadable()
    return bytes(a ^ b for a, b in zip(body, _keystream(nonce, len(body)), strict=True)).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of ``value`` (recovery codes): useless without SECRET_KEY, fast to check."""
    return hmac.new(_key("recovery"), value.encode(), hashlib.sha256).hexdigest()
