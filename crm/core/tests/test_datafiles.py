"""The data folder and the database files are readable by their owner only."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from crm.core.datafiles import protect


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # a typical server's: new files would be world-readable
    yield
    os.umask(old)


def test_existing_folder_and_files_are_tightened(tmp_path, open_umask):
    # given a data folder and files anyone could read
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    db = data / "crm.sqlite3"
    for path in (db, data / "crm.sqlite3-wal", data / "crm.sqlite3-shm", data / "secret_key"):
        path.write_bytes(b"")
        path.chmod(0o644)

    # when the application starts
    protect(data_dir=data, database={"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)})

    # then only the owner may read them
    assert mode(data) == 0o700
    for name in ("crm.sqlite3", "crm.sqlite3-wal", "crm.sqlite3-shm", "secret_key"):
        assert mode(data / name) == 0o600, name


def test_a_new_database_and_the_wal_and_shm_files_sqlite_makes_are_private(tmp_path, open_umask):
    data = tmp_path / "data"
    db = data / "crm.sqlite3"
    protect(data_dir=data, database={"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)})
    assert mode(db) == 0o600

    # when SQLite opens it in WAL mode and writes (as the application does)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()

    # then its WAL and shared-memory files take the database file's mode
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    assert wal.exists()
    assert shm.exists()
    assert (mode(wal), mode(shm)) == (0o600, 0o600)
    connection.close()


def test_postgresql_needs_no_files(tmp_path):
    data = tmp_path / "data"
    protect(data_dir=data, database={"ENGINE": "django.db.backends.postgresql", "NAME": "crm"})
    assert mode(data) == 0o700
    assert list(data.iterdir()) == []


def test_the_running_applications_data_folder_is_private():
    assert mode(Path(settings.DATA_DIR)) == 0o700


def test_uploaded_files_are_private(tmp_path, open_umask, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    storage = FileSystemStorage()
    name = storage.save("scans/contract.pdf", ContentFile(b"%PDF-1.4"))
    assert mode(Path(storage.path(name))) == 0o600
    assert mode(Path(storage.path(name)).parent) == 0o700
