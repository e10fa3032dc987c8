"""Real files for the import tests, built in memory: .xlsx by openpyxl, .csv in the encodings
Chinese Excel writes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook


def xlsx(rows: list[list[Any]], *, merge: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merge or []:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    text = "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows)
    return text.encode(encoding)


HEADER = ["姓名", "手机", "单位", "城市", "客户类别", "意向级别", "负责人", "标签", "备注"]


def people(n: int, *, start: int = 0) -> list[list[Any]]:
    """``n`` valid rows: distinct names and mobile numbers."""
    return [
        [f"客户{start + i}", f"139{start + i:08d}", "", "杭州", "", "", "", "", ""]
        for i in range(n)
    ]


def crash_on_batch(
    monkeypatch: Any, writer: type, n: int, error: BaseException
) -> Callable[[], None]:
    """The import's ``writer`` raises ``error`` on its ``n``-th batch (a power cut, a killed
    worker). Returns what puts the writer back."""
    original = writer.batch  # type: ignore[attr-defined]
    calls = {"n": 0}

    def batch(self: Any, verdicts: Any, titles: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == n:
            raise error
        return original(self, verdicts, titles)

    monkeypatch.setattr(writer, "batch", batch)
    return lambda: monkeypatch.setattr(writer, "batch", original)
