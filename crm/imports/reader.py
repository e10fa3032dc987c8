"""Reading an uploaded spreadsheet into a header and data rows.

.xlsx and .xls go through python-calamine (formula cells read as the value Excel last computed
and saved with the file); .csv is decoded as UTF-8 (with or without the BOM Excel writes) or,
failing that, as GB18030 (what Chinese Excel's "CSV" is: a superset of GBK). Empty rows are
skipped. The header is the first row with several non-empty cells (a title line above it, a
merged banner, is not); a header cell spanning several columns whose next row names them (联系
方式 over 手机 and 座机) makes a two-row header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from crm.core.errors import Invalid

EXTENSIONS = (".xlsx", ".xls", ".csv")
# a workbook named otherwise (a download renamed by a browser) is known by its content: the
# ZIP of an .xlsx, the OLE2 compound file of an .xls
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
MAX_ROWS = 200_000  # data rows of one file
_SPACES = re.compile(r"\s+")


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


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(fields={"file": _("无法识别文件编码，请另存为 UTF-8 或 Excel 格式")})


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def _sheet_rows(stream: IO[bytes]) -> tuple[Iterator[list[Any]], list[tuple[tuple[int, int], ...]]]:
    """The first sheet's rows, one at a time (the table keeps only its own copy of each: a
    list of every row first would double the memory of a large file), and its merged cells."""
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
        merged = sheet.merged_cell_ranges or []
        rows = sheet.iter_rows()
    except (CalamineError, ValueError, OSError) as exc:
        raise Invalid(
            fields={"file": _("无法读取该 Excel 文件，请确认文件未损坏、未加密")}
        ) from exc
    return _guarded(rows), [tuple(m) for m in merged]


def _guarded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from rows
    except (CalamineError, ValueError, OSError) as exc:
        raise Invalid(
            fields={"file": _("无法读取该 Excel 文件，请确认文件未损坏、未加密")}
        ) from exc


def read(stream: IO[bytes], name: str) -> Table:
    """The table of the first sheet of ``stream`` (a file named ``name``)."""
    lower = name.lower()
    merged: list[tuple[tuple[int, int], ...]] = []
    rows: Iterable[list[Any]]
    head = stream.read(8)
    stream.seek(0)
    if lower.endswith(".csv"):
        rows = _csv_rows(stream.read())
    elif lower.endswith((".xlsx", ".xls")) or head.startswith(_WORKBOOK_SIGNATURES):
        rows, merged = _sheet_rows(stream)
    else:
        raise Invalid(fields={"file": _("请上传 .xlsx、.xls 或 .csv 文件")})
    return table_of(rows, merged)


def _filled_header(row: Sequence[Any], index: int, merged: list[Any]) -> tuple[list[str], bool]:
    """The header row's titles, a title merged across columns repeated over them; whether one
    was (the row below may then name the columns)."""
    titles = [header_text(v) for v in row]
    spans = False
    for (r0, c0), (r1, c1) in merged:
        if r0 <= index <= r1 and c1 > c0 and c0 < len(titles):
            spans = True
            for c in range(c0 + 1, min(c1 + 1, len(titles))):
                titles[c] = titles[c] or titles[c0]
    return titles, spans


def table_of(rows: Iterable[Sequence[Any]], merged: list[Any] | None = None) -> Table:
    """The header and the data rows of ``rows`` (read once, in order)."""
    merged = merged or []
    source = enumerate(rows)
    start, header = next(
        ((i, r) for i, r in source if sum(not _blank(v) for v in r) >= 2), (None, None)
    )
    if start is None or header is None:
        raise Invalid(fields={"file": _("文件中没有找到表头（至少两列有标题的一行）")})
    headers, spans = _filled_header(header, start, merged)
    if spans:
        below = next(source, None)
        if below is not None:
            titles = [header_text(v) for v in below[1]]
            headers = [
                titles[i] if i < len(titles) and titles[i] else h for i, h in enumerate(headers)
            ]
    width = len(headers)
    data: list[tuple[int, list[Any]]] = []
    for i, cells in source:
        if all(_blank(v) for v in cells):
            continue
        values = [_cell(v) for v in cells[:width]]
        values += [None] * (width - len(values))
        data.append((i + 1, values))
        if len(data) > MAX_ROWS:
            raise Invalid(fields={"file": _("一次最多导入 %(n)s 行") % {"n": MAX_ROWS}})
    return Table(header_row=start + 1, headers=headers, rows=data)
