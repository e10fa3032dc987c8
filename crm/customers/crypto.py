"""Keys and ciphers for the sensitive fields at rest (ADR 0009). Only ``sensitive`` and the
``crm keys`` command use this module.

The keyring is text, from the setting ``CRM_ENCRYPTION_KEY`` or from the file
``CRM_ENCRYPTION_KEY_FILE`` (by default, with the embedded database only, ``encryption_keys`` in
the data folder, generated on first use with mode 0600); never from the database or the
repository. One entry per line (or separated by ``;``)::

    index=<base64 of 32 bytes>   the secret of the keyed hashes (blind indexes, phone fragments)
    k2=<base64 of 32 bytes>      the first key is the one new values are encrypted with
    k1=<base64 of 32 bytes>      older keys still decrypt the values written with them

A single bare value is shorthand for ``k1=<value>`` with the hashes' secret derived from it.

Values are AES-256-GCM with a random 96-bit nonce, stored as ``<key id>:<base64url of nonce,
ciphertext and tag>``; the field's name is the associated data, so a value copied into another
column does not decrypt. Keyed hashes are HMAC-SHA256 under keys derived from the ``index``
secret, which a rotation of the encryption keys leaves alone (so the unique constraints and the
search index stay valid while rows are re-encrypted).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_BYTES = 32
NONCE_BYTES = 12
INDEX_BYTES = 12  # a blind index: 96 bits, 16 characters of base64url
FRAGMENT_CHARS = 6  # a phone fragment token: 24 bits, 6 hex digits (10,000 fragments of 4)
KEY_ID = re.compile(r"^[A-Za-z0-9]{1,8}$")
INDEX_ENTRY = "index"
HELP = "见 docs/adr/0009-encryption-at-rest.md / see docs/adr/0009-encryption-at-rest.md"


class KeyringError(ImproperlyConfigured):
    """The keyring is missing or malformed, or a value names a key it does not hold."""


def _decode(name: str, value: str) -> bytes:
    text = value.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise KeyringError(
            f"加密密钥 {name} 不是 32 字节的 base64 / key {name} is not 32 bytes of base64. {HELP}"
        )
    return raw


def new_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode().rstrip("=")


def _derive(secret: bytes, label: bytes) -> bytes:
    return hmac.new(secret, b"crm/" + label, hashlib.sha256).digest()


@dataclass
class Keyring:
    secrets: dict[str, bytes]  # key id -> secret, the primary first
    index_secret: bytes
    explicit_index: bool = True
    source: Path | None = None  # the file it was read from; None: the setting
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    @property
    def primary(self) -> str:
        return next(iter(self.secrets))

    def cipher(self, key_id: str) -> AESGCM:
        found = self._ciphers.get(key_id)
        if found is None:
            secret = self.secrets.get(key_id)
            if secret is None:
                where = self.source or "CRM_ENCRYPTION_KEY"
                raise KeyringError(
                    f"密钥环（{where}）中没有密钥 {key_id} / the keyring ({where}) has no key "
                    f"{key_id}, which encrypted stored values. {HELP}"
                )
            found = self._ciphers[key_id] = AESGCM(_derive(secret, b"encrypt"))
        return found

    def text(self) -> str:
        """The keyring as written to a file or a setting, with its index secret explicit."""
        enc = base64.urlsafe_b64encode
        lines = [f"{INDEX_ENTRY}={enc(self.index_secret).decode().rstrip('=')}"]
        lines += [f"{kid}={enc(s).decode().rstrip('=')}" for kid, s in self.secrets.items()]
        return "\n".join(lines) + "\n"

    def with_new_key(self) -> Keyring:
        taken = {int(k[1:]) for k in self.secrets if re.fullmatch(r"k\d+", k)}
        kid = f"k{max(taken, default=0) + 1}"
        secrets = {kid: _decode(kid, new_secret()), **self.secrets}
        return Keyring(secrets, self.index_secret, True, self.source)

    def without(self, key_id: str) -> Keyring:
        secrets = {k: s for k, s in self.secrets.items() if k != key_id}
        return Keyring(secrets, self.index_secret, True, self.source)


def parse(text: str, source: Path | None = None) -> Keyring:
    entries = [e.strip() for e in re.split(r"[\n;]", text)]
    entries = [e for e in entries if e and not e.startswith("#")]
    if len(entries) == 1 and "=" not in entries[0]:
        secret = _decode("k1", entries[0])
        return Keyring({"k1": secret}, secret, False, source)
    secrets: dict[str, bytes] = {}
    index: bytes | None = None
    for entry in entries:
        name, sep, value = entry.partition("=")
        name = name.strip()
        if not sep or not (name == INDEX_ENTRY or KEY_ID.match(name)) or name in secrets:
            raise KeyringError(
                f"密钥环的条目有误：{name!r} / malformed keyring entry {name!r}. {HELP}"
            )
        if name == INDEX_ENTRY:
            index = _decode(name, value)
        else:
            secrets[name] = _decode(name, value)
    if not secrets:
        raise KeyringError(f"密钥环中没有加密密钥 / the keyring holds no encryption key. {HELP}")
    if index is None:
        if len(secrets) > 1:
            raise KeyringError(
                f"有多个密钥时须写明 index= / a keyring of several keys needs index=. {HELP}"
            )
        return Keyring(secrets, next(iter(secrets.values())), False, source)
    return Keyring(secrets, index, True, source)


def key_file() -> Path | None:
    name = settings.CRM_ENCRYPTION_KEY_FILE
    return Path(name) if name else None


def write_file(path: Path, ring: Keyring) -> None:
    """Replace the key file at once (a new file renamed over it), readable by its owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# crm encryption keys (ADR 0009): keep secret, back up with the database\n")
        out.write(ring.text())
    os.replace(tmp, path)


@cache
def keyring() -> Keyring:
    """The configured keyring, read once; a clear ``ImproperlyConfigured`` if there is none."""
    text = settings.CRM_ENCRYPTION_KEY
    if text:
        return parse(text)
    path = key_file()
    if path is None:
        raise KeyringError(
            "未配置加密密钥：请设置 CRM_ENCRYPTION_KEY 或 CRM_ENCRYPTION_KEY_FILE / no encryption "
            f"key: set CRM_ENCRYPTION_KEY or CRM_ENCRYPTION_KEY_FILE. {HELP}"
        )
    if not path.exists():
        if not settings.CRM_ENCRYPTION_KEY_GENERATE:
            raise KeyringError(
                f"加密密钥文件 {path} 不存在：请设置 CRM_ENCRYPTION_KEY 或 CRM_ENCRYPTION_KEY_FILE"
                f" / the encryption key file {path} does not exist: set CRM_ENCRYPTION_KEY or "
                f"CRM_ENCRYPTION_KEY_FILE (生产环境不会自动生成 / never generated in production). "
                f"{HELP}"
            )
        secret = _decode("k1", new_secret())
        write_file(path, Keyring({"k1": secret}, _decode("index", new_secret())))
    return parse(path.read_text(encoding="utf-8"), source=path)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CRM_ENCRYPTION_KEY"):
        forget()


def forget() -> None:
    """Read the keyring again on next use (after ``crm keys`` rewrote it, or in tests)."""
    keyring.cache_clear()
    _index_key.cache_clear()
    _fragment_key.cache_clear()
    fragment_token.cache_clear()


# --- values ---------------------------------------------------------------------------------


def encrypt(plain: str, purpose: str) -> str:
    if not plain:
        return ""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.cipher(ring.primary).encrypt(nonce, plain.encode(), purpose.encode())
    return ring.primary + ":" + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def key_id(stored: str) -> str:
    return stored.partition(":")[0] if ":" in stored else ""


def is_encrypted(stored: str) -> bool:
    kid, sep, _rest = stored.partition(":")
    return bool(sep) and bool(KEY_ID.match(kid))


def decrypt(stored: str, purpose: str) -> str:
    if not stored:
        return ""
    kid, sep, body = stored.partition(":")
    if not sep:
        raise KeyringError(f"存储的值未加密 / a stored {purpose} is not encrypted. {HELP}")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        plain = (
            keyring().cipher(kid).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
        )
    except InvalidTag as error:
        raise KeyringError(
            f"密钥 {kid} 无法解密存储的{purpose}（密钥不对或数据被改动）/ key {kid} does not "
            f"decrypt a stored {purpose} (wrong key or altered data). {HELP}"
        ) from error
    return plain.decode()


def reencrypt(stored: str, purpose: str) -> str:
    """``stored`` under the primary key (unchanged if it already is)."""
    if not stored or key_id(stored) == keyring().primary:
        return stored
    return encrypt(decrypt(stored, purpose), purpose)


# --- keyed hashes ---------------------------------------------------------------------------


@cache
def _index_key() -> bytes:
    return _derive(keyring().index_secret, b"blind-index")


@cache
def _fragment_key() -> bytes:
    return _derive(keyring().index_secret, b"phone-fragment")


def blind_index(value: str, purpose: str) -> str:
    """The keyed hash an exact lookup and a unique constraint use; blank for blank."""
    if not value:
        return ""
    mac = hmac.new(_index_key(), purpose.encode() + b"\0" + value.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:INDEX_BYTES]).decode()


@cache
def fragment_token(fragment: str) -> str:
    """The search token of four phone digits (memoised: there are only 10,000)."""
    mac = hmac.new(_fragment_key(), fragment.encode(), hashlib.sha256)
    return mac.hexdigest()[:FRAGMENT_CHARS]
