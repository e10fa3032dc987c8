"""The file of an approved retrieval request, written row by row into a temporary file
(xlsxwriter's constant-memory workbook, or CSV with a BOM so that Chinese Excel opens it as
UTF-8): memory stays flat whatever the number of rows.

Every file carries its watermark where it cannot be missed and does not fall off when rows are
copied elsewhere: a heading block (request number, requester, time, purpose, recipient, the
notice 仅限本申请用途), the printed page's header and footer (xlsx), and the last column of every
row. Text that a spreadsheet would take for a formula stays text (xlsx: string cells with the
quote prefix; CSV: ``safe_text``'s apostrophe).
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.http import FileResponse
from django.utils.translation import gettext as _

from crm.reports.exports import looks_like_formula, plain_text, safe_text

from .models import FileFormat

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Watermark:
    number: str
    requester: str
    at: str  # local time, as printed
    purpose: str
    recipient: str
    what: str = ""  # a list export's list (订单, 投诉 …); blank: customers

    @property
    def title(self) -> str:
        if self.what:
            return _("%(what)s导出 %(number)s") % {"what": self.what, "number": self.number}
        return _("客户数据调用 %(number)s") % {"number": self.number}

    @property
    def mark(self) -> str:
        """The short form in each row's last column."""
        return f"{self.number}/{self.requester}/{self.at}"

    def heading(self) -> list[list[str]]:
        return [
            [self.title],
            [_("申请人"), self.requester, _("导出时间"), self.at],
            [_("调用用途"), self.purpose],
            [_("接收方"), self.recipient],
            [_("本文件仅限本申请用途使用，不得复制、转发或外传；导出已登记。")],
        ]


@dataclass
class ExportFile:
    filename: str
    content_type: str
    file: IO[bytes]
    size: int
    sha256: str
    rows: int

    def response(self) -> FileResponse:
        """The file as a download (the temporary file is closed once it has been sent)."""
        return FileResponse(
            self.file, as_attachment=True, filename=self.filename, content_type=self.content_type
        )


def _finish(out: IO[bytes]) -> tuple[int, str]:
    out.seek(0)
    digest = hashlib.sha256()
    size = 0
    for block in iter(lambda: out.read(1 << 16), b""):
        digest.update(block)
        size += len(block)
    out.seek(0)
    return size, digest.hexdigest()


def write(
    file_format: str,
    *,
    mark: Watermark,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filename: str,
) -> ExportFile:
    """The file: watermark heading, the column titles (and 水印), then ``rows``."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    if file_format == FileFormat.CSV:
        count = _csv(out, mark, headers, rows)
        content_type = CSV_TYPE
    else:
        count = _xlsx(out, mark, headers, rows)
        content_type = XLSX_TYPE
    size, sha = _finish(out)
    return ExportFile(f"{filename}.{file_format}", content_type, out, size, sha, count)


def _csv(out: IO[bytes], mark: Watermark, headers: Sequence[str], rows: Iterable[Any]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    for line in mark.heading():
        writer.writerow([safe_text(v) for v in line])
    writer.writerow([])
    writer.writerow([safe_text(h) for h in (*headers, _("水印"))])
    count = 0
    for row in rows:
        writer.writerow([*(safe_text(v) for v in row), mark.mark])
        count += 1
    text.flush()
    text.detach()  # leave ``out`` open for the response
    return count


def _xlsx(out: IO[bytes], mark: Watermark, headers: Sequence[str], rows: Iterable[Any]) -> int:
    """xlsxwriter in constant-memory mode: each row goes to disk as it is written (openpyxl's
    write-only mode took three times as long). Every cell is written as a string; text that
    looks like a formula gets Excel's quote prefix so that editing the cell keeps it text."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
    )
    ws = book.add_worksheet((mark.what or _("客户数据"))[:31])
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    quoted = book.add_format({"quote_prefix": True})
    ws.set_header(
        "&C"
        + _("%(title)s · %(who)s · %(at)s")
        % {"title": mark.title, "who": mark.requester, "at": mark.at}
    )
    ws.set_footer("&C" + _("仅限本申请用途 · 第 &P 页，共 &N 页"))
    heading = mark.heading()
    row = 0
    for n, line in enumerate(heading):
        for col, value in enumerate(line):
            ws.write_string(row, col, plain_text(value), title if n == 0 else None)
        row += 1
    row += 1
    for col, value in enumerate((*headers, _("水印"))):
        ws.write_string(row, col, plain_text(value), bold)
    ws.freeze_panes(row + 1, 0)
    row += 1
    count = 0
    last = len(headers)
    for values in rows:
        for col, value in enumerate(values):
            text = plain_text(value)
            ws.write_string(row, col, text, quoted if looks_like_formula(text) else None)
        ws.write_string(row, last, mark.mark)
        row += 1
        count += 1
    book.close()
    return count
