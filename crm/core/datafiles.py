"""The data folder is readable by the owner only: the folder 0700; the SQLite database, its WAL
and shared-memory files, the generated secret key and uploaded files 0600.

SQLite creates ``-wal`` and ``-shm`` with the mode of the database file, so the database file is
created 0600 before SQLite first opens it; files that already exist are tightened at start-up.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.exists() and (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError as exc:  # e.g. a file of another user: say so, do not refuse to start
        logger.warning("cannot restrict %s to %o: %s", path, mode, exc)


def sqlite_files(name: str) -> list[Path]:
    main = Path(name)
    return [main, main.with_name(main.name + "-wal"), main.with_name(main.name + "-shm")]


def protect(*, data_dir: Path, database: dict[str, Any], media_root: Path | None = None) -> None:
    """Tighten the data folder and the files in it (idempotent; cheap enough for every start)."""
    data_dir.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _chmod(data_dir, FOLDER_MODE)
    _chmod(data_dir / "secret_key", FILE_MODE)
    _chmod(data_dir / "encryption_keys", FILE_MODE)  # ADR 0009
    if media_root is not None and media_root.exists():
        _chmod(media_root, FOLDER_MODE)
    name = str(database.get("NAME") or "")
    if not str(database.get("ENGINE", "")).endswith("sqlite3") or name in ("", ":memory:"):
        return
    if name.startswith("file:"):
        return
    main = Path(name)
    if not main.exists() and main.parent.is_dir():
        os.close(os.open(main, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    for path in sqlite_files(name):
        _chmod(path, FILE_MODE)
