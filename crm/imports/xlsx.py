"""The rows of a large .xlsx sheet, read as a stream.

Written by hand because no library does this within the import's memory budget at the speed it
needs: python-calamine (the reader for ordinary files) holds the whole sheet in memory (600 MB
for a million rows of eight columns), and openpyxl's read-only mode streams but builds a cell
object per cell (11,000 rows/s). This reads the sheet's XML as it is decompressed, a megabyte
at a time, with regular expressions over SpreadsheetML's few cell forms (``<c r= s= t=>`` with
``<v>``, ``<is><t>`` or rich-text runs), and turns values into what calamine gives: text,
``float`` numbers, ``bool``, and ``date``/``datetime``/``time`` for numbers in a date format
(``styles.xml``; the 1900 and 1904 date systems). Memory: the shared strings and one chunk.
The reader used for a file is chosen by the size of its sheet (``reader.STREAM_ABOVE``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from typing import IO, Any
from xml.etree import ElementTree

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CHUNK = 1 << 20

_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
# r, s and t in the order every writer uses; any other attribute (or order) in the fourth group
_CELL = re.compile(
    r'<(?:\w+:)?c\b(?:\s+r="([A-Z]*)\d*")?(?:\s+s="(\d+)")?(?:\s+t="(\w+)")?([^>]*?)'
    r"(?:/>|>(.*?)</(?:\w+:)?c>)",
    re.S,
)
_R = re.compile(r'\br="([A-Z]*)\d*"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_T = re.compile(r'\bt="(\w+)"')
_S = re.compile(r'\bs="(\d+)"')
_V = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?t>)")
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_DIMENSION = re.compile(r'<(?:\w+:)?dimension\b[^>]*\bref="[A-Z]+\d+:([A-Z]+)(\d+)"')
_MERGE = re.compile(r'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')

# the built-in number formats that are dates or times (ECMA-376 18.8.30)
_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _is_date_code(code: str) -> bool:
    """A custom format shows a date or a time when a date letter is outside quotes, brackets
    ([Red], [$-804]) and escapes."""
    bare = _QUOTED.sub("", code).lower()
    return any(ch in bare for ch in "ymdhs")


def _text(xml: str) -> str:
    # the text runs of a string, its phonetic guide (ruby) left out, as calamine does
    if "rPh" in xml:
        xml = _PHONETIC.sub("", xml)
    return "".join(m or "" for m in _TEXT.findall(xml))


class Book:
    """An .xlsx opened for streaming its first sheet."""

    def __init__(self, stream: IO[bytes], memo: dict[str, Any] | None = None) -> None:
        """``memo``: kept by the caller across passes over the same file (its strings)."""
        self.memo = memo
        self.zip = zipfile.ZipFile(stream)
        self.names = set(self.zip.namelist())
        self.date1904 = False
        self.sheet_path = self._first_sheet(self.names)
        # read when the rows are: asking the sheet's size costs no table of strings
        self.dates: set[int] = set()
        self.strings = Strings()

    def sheet_size(self) -> int:
        return self.zip.getinfo(self.sheet_path).file_size

    def _first_sheet(self, names: set[str]) -> str:
        workbook = ElementTree.fromstring(self.zip.read("xl/workbook.xml"))
        pr = workbook.find(f"{_NS}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        sheet = workbook.find(f"{_NS}sheets/{_NS}sheet")
        rid = sheet.get(f"{_REL}id") if sheet is not None else None
        if rid and "xl/_rels/workbook.xml.rels" in names:
            rels = ElementTree.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
            for rel in rels.iter(f"{_PKG_REL}Relationship"):
                if rel.get("Id") == rid:
                    target = rel.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                    path = posixpath.normpath(path)
                    if path in names:
                        return path
        if "xl/worksheets/sheet1.xml" in names:
            return "xl/worksheets/sheet1.xml"
        raise ValueError("no worksheet")

    def _date_styles(self, names: set[str]) -> set[int]:
        """The style indexes (``s=``) whose number format is a date or a time."""
        if "xl/styles.xml" not in names:
            return set()
        styles = ElementTree.fromstring(self.zip.read("xl/styles.xml"))
        custom = {
            int(f.get("numFmtId", "0")): _is_date_code(f.get("formatCode", ""))
            for f in styles.iter(f"{_NS}numFmt")
        }
        xfs = styles.find(f"{_NS}cellXfs")
        dates: set[int] = set()
        for i, xf in enumerate(xfs if xfs is not None else []):
            fmt = int(xf.get("numFmtId", "0"))
            if custom.get(fmt, fmt in _DATE_FORMATS):
                dates.add(i)
        return dates

    def _shared_strings(self, names: set[str]) -> Strings:
        strings = Strings()
        if "xl/sharedStrings.xml" not in names:
            return strings
        with self.zip.open("xl/sharedStrings.xml") as f:
            events = ElementTree.iterparse(f, events=("start", "end"))
            _event, root = next(events)
            for event, el in events:
                if event == "end" and el.tag == f"{_NS}si":
                    phonetic = set(_phonetic_texts(el))
                    strings.append(
                        "".join(t.text or "" for t in el.iter(f"{_NS}t") if t not in phonetic)
                    )
                    root.clear()  # the strings read so far: not kept as elements too
        strings.close()
        return strings

    def _chunks(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        with self.zip.open(self.sheet_path) as f:
            while True:
                data = f.read(_CHUNK)
                yield decoder.decode(data, final=not data)
                if not data:
                    return

    def merged(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The merged ranges ((row, column), (row, column)), from 0 (they follow the data in
        the file: one pass that only decompresses)."""
        found: list[tuple[tuple[int, int], tuple[int, int]]] = []
        tail = ""
        for chunk in self._chunks():
            text = tail + chunk
            if "mergeCell" in text:
                end = text.rfind(">") + 1
                for c0, r0, c1, r1 in _MERGE.findall(text[:end]):
                    found.append(((int(r0) - 1, _column(c0)), (int(r1) - 1, _column(c1))))
                tail = text[end:]
            else:
                tail = text[-200:]
        return found

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number from 1, cells by column from A, as wide as the sheet's dimension says)
        of each row that has cells."""
        self.dates = self._date_styles(self.names)
        if self.memo is not None and "strings" in self.memo:
            self.strings = self.memo["strings"]
        else:
            self.strings = self._shared_strings(self.names)
            if self.memo is not None:
                self.memo["strings"] = self.strings
        buffer = ""
        last = 0
        width = -1  # not known before the first chunk
        for chunk in self._chunks():
            buffer += chunk
            if width < 0:
                dimension = _DIMENSION.search(buffer, 0, buffer.find("<sheetData"))
                width = _column(dimension.group(1)) + 1 if dimension else 0
                if dimension and self.memo is not None:
                    self.memo["height"] = int(dimension.group(2))
            end = 0
            for match in _ROW.finditer(buffer):
                end = match.end()
                attrs, body = match.group(1), match.group(2)
                r = _ROW_NUMBER.search(attrs)
                number = int(r.group(1)) if r else last + 1
                last = number
                if body:
                    cells = self._cells(body)
                    if len(cells) < width:
                        cells.extend([""] * (width - len(cells)))
                    yield number, cells
            buffer = buffer[end:]

    def _cells(self, body: str) -> list[Any]:
        cells: list[Any] = []
        for letters, style, kind, rest, inner in _CELL.findall(body):
            if rest.strip():  # attributes in another order, or others
                letters = letters or _attr(_R, rest)
                style = style or _attr(_S, rest)
                kind = kind or _attr(_T, rest)
            if letters:
                at = _column(letters)
                if at > len(cells):
                    cells.extend([""] * (at - len(cells)))
            cells.append(self._value(kind or "n", style, inner))
        return cells

    def _value(self, kind: str, style: str, inner: str) -> Any:
        if kind == "inlineStr":
            return html.unescape(_text(inner))
        v = _V.search(inner) if inner else None
        raw = v.group(1) if v else ""
        if kind == "s":
            return self.strings[int(raw)] if raw.isdigit() and int(raw) < len(self.strings) else ""
        if kind in ("str", "e"):
            return html.unescape(raw) if kind == "str" else ""
        if kind == "b":
            return raw == "1" if raw else ""
        if not raw:
            return ""
        try:
            number = float(raw)
        except ValueError:
            return html.unescape(raw)
        if style and int(style) in self.dates:
            return self._date(number)
        return number

    def _date(self, serial: float) -> Any:
        """An Excel serial date as calamine gives it: a time under one day, a date when whole,
        else a datetime."""
        if serial < 0:
            return serial
        # a spreadsheet's dates and times have no time zone (naive, as calamine's)
        if serial < 1:
            seconds = min(round(serial * 86400), 86399)
            return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
        if self.date1904:
            base = dt.datetime(1904, 1, 1)  # noqa: DTZ001
        else:
            # the 1900 system counts a 29 February 1900 that never was (Lotus's bug)
            base = dt.datetime(1899, 12, 31 if serial < 61 else 30)  # noqa: DTZ001
        try:
            moment = base + dt.timedelta(days=serial)
        except OverflowError:
            return serial
        moment = moment.replace(microsecond=0) + dt.timedelta(
            seconds=round(moment.microsecond / 1e6)
        )
        if serial == int(serial):
            return moment.date()
        return moment


class Strings:
    """The shared strings table, compact: blocks of 4,096 strings joined into one ``str`` each,
    with the offsets in typed arrays (a million short strings take about 25 MB, not the 85 MB
    of a list of ``str``); ``strings[i]`` slices its string out."""

    BLOCK = 4096

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.offsets: list[array[int]] = []
        self._pending: list[str] = []
        self.count = 0

    def append(self, text: str) -> None:
        self._pending.append(text)
        self.count += 1
        if len(self._pending) == self.BLOCK:
            self._flush()

    def close(self) -> None:
        if self._pending:
            self._flush()

    def _flush(self) -> None:
        offsets = array("I", [0])
        total = 0
        for text in self._pending:
            total += len(text)
            offsets.append(total)
        self.blocks.append("".join(self._pending))
        self.offsets.append(offsets)
        self._pending = []

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> str:
        block, at = divmod(index, self.BLOCK)
        offsets = self.offsets[block]
        return self.blocks[block][offsets[at] : offsets[at + 1]]


def _attr(pattern: re.Pattern[str], attrs: str) -> str:
    found = pattern.search(attrs)
    return found.group(1) if found else ""


def _phonetic_texts(si: ElementTree.Element) -> Iterator[ElementTree.Element]:
    for ph in si.iter(f"{_NS}rPh"):
        yield from ph.iter(f"{_NS}t")
