"""vCard files (.vcf) as phones export them: 2.1 (Android), 3.0 (iPhone, Outlook), 4.0.

Why not ``vobject`` (the usual library): tried on an Android export, it stops with a
``ParseError`` at the first name long enough for Android to wrap: vCard 2.1 writes a
QUOTED-PRINTABLE value over several lines with a trailing ``=`` (a soft line break), which
``vobject`` does not join. It also brings pytz and dateutil for calendar features a contact
import does not use. The part of RFC 2425/2426/6350 a contact needs is small, so it is here:

- line unfolding (CRLF followed by a space or tab) and, for QUOTED-PRINTABLE values, the soft
  line breaks of 2.1;
- ``group.NAME;PARAM=a,b;TYPE:value`` with 2.1's bare parameters (``TEL;CELL;PREF``) and quoted
  ones (``TYPE="voice,cell"``);
- ENCODING=QUOTED-PRINTABLE with CHARSET (UTF-8 by default; GB18030 for old Chinese phones)
  and BASE64 (photos, skipped);
- the escapes of 3.0/4.0 (``\\n``, ``\\,``, ``\\;``) and the structured values of N, ADR and ORG;
- ``tel:`` URIs of 4.0 (``tel:+81-3-1234-5678;ext=12``).

Only the properties a customer or a contact takes are kept: N, FN, TEL, EMAIL, ORG, TITLE, ADR,
NOTE, URL. A file in another encoding than UTF-8 is read as GB18030 (what Chinese Windows
writes).
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field
from typing import Any

KEPT = frozenset({"N", "FN", "TEL", "EMAIL", "ORG", "TITLE", "ADR", "NOTE", "URL", "VERSION"})
MAX_CARDS = 2000


@dataclass(frozen=True)
class Phone:
    number: str
    kinds: frozenset[str]  # CELL, WORK, HOME, FAX, PREF … (upper case)


@dataclass
class Card:
    """One contact of the file, as its properties say (nothing validated yet)."""

    index: int  # 1-based position in the file
    version: str = ""
    formatted_name: str = ""
    name_parts: list[str] = field(default_factory=list)  # family; given; middle; prefix; suffix
    phones: list[Phone] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    organization: str = ""
    title: str = ""
    addresses: list[list[str]] = field(
        default_factory=list
    )  # box; ext; street; city; region; code; country
    notes: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """FN, else N put together: 张三 (Chinese: family then given, no space); John Smith."""
        if self.formatted_name.strip():
            return self.formatted_name.strip()
        family, given = ([*self.name_parts, "", ""])[:2]
        family, given = family.strip(), given.strip()
        if _CJK.search(family + given):
            return family + given
        return " ".join(p for p in (given, family) if p)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class VCardError(ValueError):
    """The file is no vCard at all (the message is for the user)."""


def decode_file(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _logical_lines(text: str) -> list[str]:
    """Physical lines joined into properties: folding (a leading space or tab) and 2.1's
    quoted-printable soft line breaks (a line of a QP value ending with ``=``)."""
    out: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line[:1] in (" ", "\t") and out:
            out[-1] += line[1:]
            continue
        if not line.strip():
            continue
        head = line.split(":", 1)[0].upper()
        if "QUOTED-PRINTABLE" in head:
            while line.endswith("=") and i < len(lines):
                following = lines[i]
                i += 1
                # a soft line break; a folded one (a leading space) loses that space too
                line = line[:-1] + (following[1:] if following[:1] in (" ", "\t") else following)
        out.append(line)
    return out


_PARAM_SPLIT = re.compile(r';(?=(?:[^"]*"[^"]*")*[^"]*$)')


def _split_line(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    """``group.NAME;params:value`` → (NAME, {PARAM: [values]}, raw value); None if no colon."""
    in_quotes = False
    for pos, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            head, value = line[:pos], line[pos + 1 :]
            break
    else:
        return None
    parts = _PARAM_SPLIT.split(head)
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, eq, val = part.partition("=")
        if not eq:  # 2.1: a bare type (CELL, PREF) or a bare encoding
            key, val = ("ENCODING", key) if key.upper() in _ENCODINGS else ("TYPE", key)
        values = [v.strip().strip('"') for v in val.split(",")]
        params.setdefault(key.strip().upper(), []).extend(v for v in values if v)
    return name, params, value


_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}


def _decoded(value: str, params: dict[str, list[str]]) -> str | None:
    encoding = {e.upper() for e in params.get("ENCODING", [])}
    if encoding & {"BASE64", "B"}:
        return None  # a photo or a sound: not kept
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["UTF-8"])[0]
        data = quopri.decodestring(value.encode("latin-1", "replace"))
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return decode_file(data)
    return value


def _unescape(value: str) -> str:
    return re.sub(r"\\([nN,;:\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _components(value: str) -> list[str]:
    """A structured value split at unescaped semicolons, each part unescaped."""
    parts = re.split(r"(?<!\\);", value)
    return [_unescape(p).strip() for p in parts]


def _phone_value(value: str) -> str:
    text = value.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    return re.split(r";(?=ext=)", text, flags=re.I)[0].strip()


def parse(raw: bytes | str) -> list[Card]:
    """The cards of a .vcf file, in order. Raises ``VCardError`` when it holds none."""
    text = decode_file(raw) if isinstance(raw, bytes) else raw
    cards: list[Card] = []
    current: Card | None = None
    for line in _logical_lines(text):
        split = _split_line(line)
        if split is None:
            continue
        name, params, value = split
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            current = Card(index=len(cards) + 1)
            continue
        if name == "END" and value.strip().upper() == "VCARD":
            if current is not None:
                cards.append(current)
                if len(cards) > MAX_CARDS:
                    raise VCardError(f"too many cards: {MAX_CARDS}")
            current = None
            continue
        if current is None or name not in KEPT:
            continue
        decoded = _decoded(value, params)
        if decoded is None:
            continue
        _take(current, name, params, decoded)
    if not cards:
        raise VCardError("no cards")
    return cards


def _take(card: Card, name: str, params: dict[str, list[str]], value: str) -> None:
    if name == "VERSION":
        card.version = value.strip()
    elif name == "FN":
        card.formatted_name = _unescape(value).strip()
    elif name == "N":
        card.name_parts = _components(value)
    elif name == "TEL":
        kinds = frozenset(t.upper() for t in params.get("TYPE", []))
        if params.get("PREF"):
            kinds |= {"PREF"}
        number = _phone_value(_unescape(value))
        if number:
            card.phones.append(Phone(number, kinds))
    elif name == "EMAIL":
        email = _unescape(value).strip()
        if email:
            card.emails.append(email)
    elif name == "ORG":
        card.organization = " ".join(p for p in _components(value) if p)
    elif name == "TITLE":
        card.title = _unescape(value).strip()
    elif name == "ADR":
        card.addresses.append(_components(value))
    elif name == "NOTE":
        note = _unescape(value).replace("\r\n", "\n").strip()
        if note:
            card.notes.append(note)
    elif name == "URL":
        url = _unescape(value).strip()
        if url:
            card.urls.append(url)


# --- a parsed card carried between the preview and the import (signed by the web page) -------


def card_to_dict(card: Card) -> dict[str, object]:
    return {
        "index": card.index,
        "version": card.version,
        "formatted_name": card.formatted_name,
        "name_parts": card.name_parts,
        "phones": [[p.number, sorted(p.kinds)] for p in card.phones],
        "emails": card.emails,
        "organization": card.organization,
        "title": card.title,
        "addresses": card.addresses,
        "notes": card.notes,
        "urls": card.urls,
    }


def card_from_dict(data: dict[str, Any]) -> Card:
    return Card(
        index=int(data["index"]),
        version=str(data.get("version", "")),
        formatted_name=str(data.get("formatted_name", "")),
        name_parts=[str(p) for p in data.get("name_parts", [])],
        phones=[Phone(str(n), frozenset(k)) for n, k in data.get("phones", [])],
        emails=[str(e) for e in data.get("emails", [])],
        organization=str(data.get("organization", "")),
        title=str(data.get("title", "")),
        addresses=[[str(p) for p in a] for a in data.get("addresses", [])],
        notes=[str(n) for n in data.get("notes", [])],
        urls=[str(u) for u in data.get("urls", [])],
    )
