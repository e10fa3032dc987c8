"""Reading an uploaded spreadsheet into a header and data rows, as a stream: a pass over the
rows reads the file again (a million rows are never held at once).

.xls and ordinary .xlsx go through python-calamine (formula cells read as the value Excel last
computed and saved with the file); an .xlsx whose sheet is larger than ``STREAM_ABOVE`` through
``crm.imports.xlsx`` (calamine would hold the whole sheet); .csv is decoded as UTF-8 (with or
without the BOM Excel writes) or, failing that, as GB18030 (what Chinese Excel's "CSV" is: a
superset of GBK). Empty rows are skipped. The header is the first row with several non-empty
cells (a title line above it, a merged banner, is not); a header cell spanning several columns
whose next row names them (联系方式 over 手机 and 座机) makes a two-row header.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from crm.core.errors import Invalid

from . import xlsx

EXTENSIONS = (".xlsx", ".xls", ".csv")
# a workbook named otherwise (a download renamed by a browser) is known by its content: the
# ZIP of an .xlsx, the OLE2 compound file of an .xls
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
MAX_ROWS = 1_000_000  # data rows of one file
# an .xlsx sheet of more XML than this (about 200,000 rows of eight columns) is streamed:
# calamine would hold ten times the file in memory
STREAM_ABOVE = 64 * 1024 * 1024
_SPACES = re.compile(r"\s+")
_UNREADABLE = "无法读取该 Excel 文件，请确认文件未损坏、未加密"

Merged = list[tuple[tuple[int, int], tuple[int, int]]]
Rows = Iterator[tuple[int, list[Any]]]  # (spreadsheet row number from 1, cells)


@dataclass
class Table:
    """``rows``: (spreadsheet row number, cells) of the data rows, in order."""

    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def header_text(value: Any) -> str:
    """A header cell as one line: line breaks and spaces inside (客户\\n名称) dropped."""
    if value is None:
        return ""
    return _SPACES.sub("", str(value))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


def _encoding(stream: IO[bytes]) -> str:
    """UTF-8 (a BOM or none) if the whole file decodes so, else GB18030; read in chunks."""
    for encoding in ("utf-8-sig", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while True:
                chunk = stream.read(1 << 20)
                decoder.decode(chunk, final=not chunk)
                if not chunk:
                    return encoding
        except UnicodeDecodeError:
            continue
    raise Invalid(fields={"file": _("无法识别文件编码，请另存为 UTF-8 或 Excel 格式")})


def _csv_rows(stream: IO[bytes]) -> Rows:
    encoding = _encoding(stream)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    sample = text.read(4096)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return enumerate(csv.reader(text, dialect), start=1)


def _calamine(stream: IO[bytes], memo: dict[str, Any] | None = None) -> tuple[Rows, Merged]:
    """The first sheet's rows, one at a time, and its merged cells. Calamine gives rows from
    the first of the sheet and columns from the first one used: cells are placed from A."""
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
        merged = sheet.merged_cell_ranges or []
        rows = sheet.iter_rows()
        pad = [""] * sheet.start[1] if sheet.start else []
        if memo is not None:
            memo["height"] = sheet.total_height
    except (CalamineError, ValueError, OSError) as exc:
        raise Invalid(fields={"file": _(_UNREADABLE)}) from exc
    placed = ((i, pad + r if pad else r) for i, r in enumerate(rows, start=1))
    return _guarded(placed), [(tuple(a), tuple(b)) for a, b in merged]  # type: ignore[misc]


def _streamed(
    stream: IO[bytes], *, merged: bool, memo: dict[str, Any] | None = None
) -> tuple[Rows, Merged] | None:
    """A large .xlsx's rows through ``crm.imports.xlsx``; None: not large (or not an .xlsx)."""
    try:
        book = xlsx.Book(stream, memo)
        if book.sheet_size() <= STREAM_ABOVE:
            return None
        return _guarded(book.rows()), book.merged() if merged else []
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return None


def _guarded(rows: Rows) -> Rows:
    try:
        yield from rows
    except (CalamineError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise Invalid(fields={"file": _(_UNREADABLE)}) from exc


def _source(
    stream: IO[bytes], name: str, *, merged: bool = True, memo: dict[str, Any] | None = None
) -> tuple[Rows, Merged]:
    lower = name.lower()
    head = stream.read(8)
    stream.seek(0)
    if lower.endswith(".csv"):
        return _csv_rows(stream), []
    if lower.endswith((".xlsx", ".xls")) or head.startswith(_WORKBOOK_SIGNATURES):
        if head.startswith(b"PK"):
            streamed = _streamed(stream, merged=merged, memo=memo)
            stream.seek(0)
            if streamed is not None:
                return streamed
        return _calamine(stream, memo)
    raise Invalid(fields={"file": _("请上传 .xlsx、.xls 或 .csv 文件")})


def _filled_header(row: Sequence[Any], index: int, merged: Merged) -> tuple[list[str], bool]:
    """The header row's titles, a title merged across columns repeated over them; whether one
    was (the row below may then name the columns). ``index``: the row's, from 0."""
    titles = [header_text(v) for v in row]
    spans = False
    for (r0, c0), (r1, c1) in merged:
        if r0 <= index <= r1 and c1 > c0 and c0 < len(titles):
            spans = True
            for c in range(c0 + 1, min(c1 + 1, len(titles))):
                titles[c] = titles[c] or titles[c0]
    return titles, spans


class Sheet:
    """An uploaded file's first sheet: its header, found once, and its data rows, read from
    the file again on every pass (``rows()``). ``opener`` gives a fresh binary stream."""

    def __init__(self, opener: Callable[[], IO[bytes]], name: str) -> None:
        self.opener = opener
        self.name = name
        self.memo: dict[str, Any] = {}  # a streamed sheet's shared strings, read once
        with opener() as stream:
            source, merged = _source(stream, name, memo=self.memo)
            self.header_row, self.headers, self.last_header = _header(source, merged)

    @property
    def height(self) -> int | None:
        """The rows of the sheet as its workbook says (header and empty rows included), known
        without reading them; None for a CSV."""
        height = self.memo.get("height")
        return int(height) if height is not None else None

    def rows(self) -> Rows:
        """The data rows: (row number, cells as wide as the header), empty rows left out."""
        width = len(self.headers)
        count = 0
        with self.opener() as stream:
            source, _merged = _source(stream, self.name, merged=False, memo=self.memo)
            for number, cells in source:
                if number <= self.last_header or all(_blank(v) for v in cells):
                    continue
                values = [_cell(v) for v in cells[:width]]
                values += [None] * (width - len(values))
                count += 1
                if count > MAX_ROWS:
                    raise Invalid(fields={"file": _("一次最多导入 %(n)s 行") % {"n": MAX_ROWS}})
                yield number, values


def _header(source: Rows, merged: Merged) -> tuple[int, list[str], int]:
    """(the header's row number, its titles, the last row of a two-row header)."""
    found = next(((n, r) for n, r in source if sum(not _blank(v) for v in r) >= 2), None)
    if found is None:
        raise Invalid(fields={"file": _("文件中没有找到表头（至少两列有标题的一行）")})
    number, row = found
    headers, spans = _filled_header(row, number - 1, merged)
    last = number
    if spans:
        below = next(source, None)
        if below is not None and below[0] == number + 1:
            titles = [header_text(v) for v in below[1]]
            headers = [
                titles[i] if i < len(titles) and titles[i] else h for i, h in enumerate(headers)
            ]
            last = below[0]
    return number, headers, last


def open_sheet(data: bytes, name: str) -> Sheet:
    """The sheet of an upload held in memory."""
    return Sheet(lambda: io.BytesIO(data), name)


def read(stream: IO[bytes], name: str) -> Table:
    """The table of the first sheet of ``stream`` (a file named ``name``), rows in a list: for
    small files and tests; an import reads a ``Sheet``."""
    data = stream.read()
    sheet = open_sheet(data, name)
    return Table(header_row=sheet.header_row, headers=sheet.headers, rows=list(sheet.rows()))
