"""A response's answers checked against the questions of its form version: each value as its
question's type wants it, with a clear message per question (``q<id>``).

The answers come as ``{question id: value}`` (the API's JSON; the web form builds the same):
text a string; a number a number (or its digits); a date ``YYYY-MM-DD``; a single choice one of
the options; a multiple choice a list of options; a ranked choice a list of options, first
reason first, at most ``max_ranks``; yes/no true or false; a table a list of rows, each a
``{column: text}``. A question left out or blank is unanswered (refused when required).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.core.inputs import WHITESPACE

from .models import Question, QuestionKind

TEXT_MAX = 1000
TABLE_ROWS_MAX = 50
CELL_MAX = 200
NUMBER_LIMIT = decimal.Decimal("999999999999")
RANK_WORDS = (
    gettext_noop("第一"),
    gettext_noop("第二"),
    gettext_noop("第三"),
    gettext_noop("第四"),
    gettext_noop("第五"),
    gettext_noop("第六"),
    gettext_noop("第七"),
    gettext_noop("第八"),
    gettext_noop("第九"),
    gettext_noop("第十"),
)
YES, NO = "是", "否"


@dataclass
class Value:
    """One question's answer as the rows it is stored in: (position, text, number, rows)."""

    rows: list[tuple[int, str, decimal.Decimal | None, list[dict[str, str]] | None]] = field(
        default_factory=list
    )


def rank_word(rank: int) -> str:
    return _(RANK_WORDS[rank - 1]) if 0 < rank <= len(RANK_WORDS) else f"#{rank}"


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(WHITESPACE)
    if isinstance(value, list | tuple):
        return all(_blank(v) for v in value) if value else True
    return False


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(_("应为文本"))
    text = value.strip(WHITESPACE)
    if "\x00" in text:
        raise ValueError(_("不能包含空字符"))
    if len(text) > limit:
        raise ValueError(_("不能超过 %(n)s 个字") % {"n": limit})
    return text


def _number(value: Any) -> decimal.Decimal:
    if isinstance(value, bool):
        raise ValueError(_("请填写数字"))
    try:
        number = decimal.Decimal(str(value).strip(WHITESPACE))
    except (decimal.InvalidOperation, ValueError) as exc:
        raise ValueError(_("请填写数字")) from exc
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise ValueError(_("请填写数字"))
    return number.quantize(decimal.Decimal("0.0001"))


def _date(value: Any) -> str:
    try:
        day = dt.date.fromisoformat(_text(value, 10))
    except ValueError as exc:
        raise ValueError(_("日期格式应为 YYYY-MM-DD")) from exc
    if not 1900 <= day.year <= 2999:
        raise ValueError(_("日期格式应为 YYYY-MM-DD"))
    return day.isoformat()


def _option(question: Question, value: Any) -> str:
    text = _text(value, 100)
    if text not in question.choices:
        raise ValueError(_("「%(v)s」不是本题的选项") % {"v": text[:20]})
    return text


def _options(question: Question, value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    chosen = [_option(question, v) for v in items if not _blank(v)]
    if len(set(chosen)) != len(chosen):
        raise ValueError(_("同一选项不能选两次"))
    return chosen


def _ranked(question: Question, value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValueError(_("应按顺序列出理由"))
    # a blank rank between two filled ones: the reasons must be given in order
    filled = [not _blank(v) for v in value]
    if any(not f and any(filled[n + 1 :]) for n, f in enumerate(filled)):
        raise ValueError(_("请按顺序填写：先填第一，再填第二"))
    chosen = _options(question, value)
    most = question.max_ranks or len(question.choices)
    if len(chosen) > most:
        raise ValueError(
            _("最多填写 %(n)s 项（%(words)s），不能再填第 %(k)s 项")
            % {
                "n": most,
                "words": "、".join(rank_word(r) for r in range(1, most + 1)),
                "k": most + 1,
            }
        )
    return chosen


def _yesno(value: Any) -> str:
    if value in (True, "yes", "true", "1", YES, "on"):
        return YES
    if value in (False, "no", "false", "0", NO):
        return NO
    raise ValueError(_("请选择是或否"))


def _table(question: Question, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValueError(_("表格应为多行"))
    rows: list[dict[str, str]] = []
    for row in value:
        if not isinstance(row, Mapping):
            raise ValueError(_("表格的每一行应为各列的值"))
        unknown = set(row) - set(question.columns)
        if unknown:
            raise ValueError(_("表格没有「%(c)s」这一列") % {"c": str(sorted(unknown)[0])[:20]})
        cells = {c: _text(row.get(c) or "", CELL_MAX) for c in question.columns}
        if any(cells.values()):
            rows.append(cells)
    if len(rows) > TABLE_ROWS_MAX:
        raise ValueError(_("表格最多 %(n)s 行") % {"n": TABLE_ROWS_MAX})
    return rows


def clean_answer(question: Question, value: Any) -> Value | None:
    """The stored rows of one answer (None: unanswered); ``ValueError`` with the message."""
    if _blank(value) or (question.kind == QuestionKind.TABLE and value == []):
        return None
    kind = question.kind
    out = Value()
    if kind == QuestionKind.TEXT:
        out.rows.append((0, _text(value, TEXT_MAX), None, None))
    elif kind == QuestionKind.NUMBER:
        out.rows.append((0, "", _number(value), None))
    elif kind == QuestionKind.DATE:
        out.rows.append((0, _date(value), None, None))
    elif kind == QuestionKind.SINGLE:
        if isinstance(value, list | tuple):
            raise ValueError(_("本题只能选一项"))
        out.rows.append((0, _option(question, value), None, None))
    elif kind == QuestionKind.MULTIPLE:
        out.rows += [(n, o, None, None) for n, o in enumerate(_options(question, value), 1)]
    elif kind == QuestionKind.RANKED:
        out.rows += [(n, o, None, None) for n, o in enumerate(_ranked(question, value), 1)]
    elif kind == QuestionKind.YESNO:
        out.rows.append((0, _yesno(value), None, None))
    else:
        rows = _table(question, value)
        if not rows:
            return None
        out.rows.append((0, "", None, rows))
    return out


def clean_answers(
    questions: list[Question], answers: Mapping[str, Any]
) -> tuple[dict[int, Value], dict[str, str]]:
    """Each question's stored rows and each refusal (``q<id>`` → message)."""
    by_id = {str(q.pk): q for q in questions}
    errors: dict[str, str] = {}
    for key in answers:
        if str(key) not in by_id:
            errors[f"q{key}"[:40]] = _("不是本表单的题目")
    values: dict[int, Value] = {}
    for q in questions:
        try:
            value = clean_answer(q, answers.get(str(q.pk)))
        except ValueError as exc:
            errors[q.field_name] = f"{q.label}：{exc}"
            continue
        if value is None:
            if q.required:
                errors[q.field_name] = _("请填写「%(label)s」") % {"label": q.label}
            continue
        values[q.pk] = value
    return values, errors


def display(question: Question, answers: list[Any]) -> str:
    """An answer as one line of text (the response page, the export)."""
    if not answers:
        return ""
    if question.kind == QuestionKind.NUMBER:
        number = answers[0].number
        return "" if number is None else f"{number.normalize():f}"
    if question.kind == QuestionKind.RANKED:
        return "；".join(f"{rank_word(a.position)}：{a.text}" for a in answers)
    if question.kind == QuestionKind.MULTIPLE:
        return "、".join(a.text for a in answers)
    if question.kind == QuestionKind.TABLE:
        rows = answers[0].rows or []
        return "\n".join(" / ".join(f"{c}：{r.get(c, '')}" for c in question.columns) for r in rows)
    return str(answers[0].text)
