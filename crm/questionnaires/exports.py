"""A form's responses as a spreadsheet (.xlsx): the customer's number and name (masked to the
reader's clearance, ``masker_for``), who filled it and when, then one column per question.
Written row by row (openpyxl's write-only workbook) into a temporary file; text that looks like
a formula stays text (``safe_cell``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from crm.accounts.models import User
from crm.accounts.roles import EXPORT_REPORTS
from crm.core.permissions import require, restrict
from crm.governance import audit
from crm.governance.masking import masker_for
from crm.reports.exports import safe_cell

from . import selectors
from .models import FormVersion, Response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 500


def _cells(sheet: Any, values: list[Any]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        safe_cell(cell, value)
        cells.append(cell)
    return cells


def _rows(
    actor: User, version: FormVersion, filters: selectors.AnswerFilter
) -> Iterator[tuple[Response, list[str]]]:
    qs = selectors.filter_by_answer(
        restrict(
            Response.objects.filter(version=version, customer__deleted_at__isnull=True),
            actor,
            EXPORT_REPORTS,
        ),
        filters,
    ).select_related("customer", "filled_by")
    questions = selectors.questions(version)
    ids = list(qs.order_by("id").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(qs.filter(pk__in=ids[start : start + BATCH]).order_by("id"))
        texts = selectors.answer_texts(batch, questions)
        for response in batch:
            yield response, texts[response.pk]


@transaction.atomic
def export_responses(
    *, actor: User, version: FormVersion, filters: selectors.AnswerFilter
) -> tuple[IO[bytes], str, int]:
    """The file, its name and how many responses it holds (one audited export)."""
    require(actor, EXPORT_REPORTS)
    masker = masker_for(actor)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("答卷"))
    questions = selectors.questions(version)
    head = [_("客户编号"), _("客户名称"), _("填写人"), _("填写时间")] + [q.label for q in questions]
    sheet.append(_cells(sheet, head))
    count = 0
    for response, texts in _rows(actor, version, filters):
        shown = masker.values(response.customer, ["number", "name"])
        filled = timezone.localtime(response.updated_at).strftime("%Y-%m-%d %H:%M")
        who = response.filled_by.display_name if response.filled_by else ""
        sheet.append(_cells(sheet, [shown["number"] or "", shown["name"], who, filled, *texts]))
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    book.save(out)
    out.seek(0)
    audit.record(
        actor=actor,
        verb="questionnaire.exported",
        obj=version.form,
        details={"version": version.number, "rows": count},
    )
    name = f"{version.form.name}-v{version.number}.xlsx"
    return out, name, count
