"""What every upload of the product (follow-up attachments, order files, complaint attachments)
is asked before it is kept: its type by its content, and a name safe to store and show."""

from __future__ import annotations

from typing import IO

import filetype


def sniff(upload: IO[bytes]) -> str:
    """The file's type by its content (the first bytes), not by what its name or the browser
    claims; "" when unknown. The file is left at its start."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return str(kind.mime) if kind is not None else ""


def safe_name(name: str) -> str:
    """The file's own name without any folder a browser sent with it, printable characters
    only, at most 200 of them ("file" when nothing is left)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[:200] or "file"
