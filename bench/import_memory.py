"""``import_memory``: the peak memory of a customer import of a million rows (the issue's
≤ 400 MB), measured in a process of its own so that the figure is the import's alone, not the
benchmark's loaded data.

The parent writes the .xlsx (xlsxwriter, not measured) and starts
``python -m bench.import_memory FILE USERNAME`` with the same settings and database; the child
uploads it (the upload checks the first rows and leaves the rest to the background check), runs
the background check and the import as the worker would, in a transaction rolled back at the
end, and prints the seconds, rows/s and its peak RSS after each step.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

KEY = "import_memory"
ROWS = 1_000_000


def write_file(path: Path, n: int, seed: int = 20_260_101) -> None:
    """``n`` rows like ``bench.imports.spreadsheet``'s, text in the shared-strings table as
    Excel and WPS write it (a million distinct phone numbers typed as text: the table the
    reader keeps in memory is at its largest)."""
    import xlsxwriter

    from .imports import HEADER, people

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(people(n, seed, mobile="176"), start=1):
        sheet.write_row(i, 0, row)
    book.close()


def run(username: str, rows: int, say: Callable[[str], None]) -> None:
    say(f"Customer import of {rows:,} rows (.xlsx), memory, in a process of its own:")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "million.xlsx"
        started = time.perf_counter()
        write_file(path, rows)
        say(
            f"  file built             {time.perf_counter() - started:>8.2f} s   "
            f"{path.stat().st_size / 1e6:.1f} MB (not measured)"
        )
        child = subprocess.run(
            [sys.executable, "-m", "bench.import_memory", str(path), username, str(rows)],
            env={**os.environ},
            capture_output=True,
            text=True,
            check=False,
        )
        for line in child.stdout.splitlines():
            say(line)
        if child.returncode:
            say(child.stderr[-3000:])
            raise RuntimeError("the import memory benchmark failed")


def _child(path: str, username: str, rows: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    django.setup()
    from django.db import transaction

    from crm.accounts.models import User
    from crm.imports import services

    from .imports import peak_mb, started_run

    base = peak_mb()
    print(f"  process after start-up {base:>8.0f} MB", flush=True)
    actor = User.objects.get(username=username)
    data = Path(path).read_bytes()
    with transaction.atomic():
        start = time.perf_counter()
        job = services.import_upload(
            actor=actor, stream=io.BytesIO(data), name="m.xlsx", size=len(data)
        )
        del data
        print(
            f"  upload (first rows)    {time.perf_counter() - start:>8.2f} s   "
            f"state {job.state}, peak {peak_mb():.0f} MB",
            flush=True,
        )
        start = time.perf_counter()
        checked = services.import_check_run(job_id=job.pk, token=job.check_token) or job
        seconds = time.perf_counter() - start
        print(
            f"  check (dry run)        {seconds:>8.2f} s   {rows / seconds:>9,.0f} rows/s   "
            f"valid {checked.dry_run.get('valid', 0):,}, peak {peak_mb():.0f} MB",
            flush=True,
        )
        services.import_start(actor=actor, job_id=job.pk)
        done, seconds = started_run(job.pk)
        print(
            f"  run (write)            {seconds:>8.2f} s   {rows / seconds:>9,.0f} rows/s   "
            f"created {done.created_count:,}, peak {peak_mb():.0f} MB",
            flush=True,
        )
        transaction.set_rollback(True)
    print(f"  peak RSS               {peak_mb():>8.0f} MB   (target ≤ 400 MB)", flush=True)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
