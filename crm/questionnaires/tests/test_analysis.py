"""The analysis page's figures, as the 案场 counts the 成交客户信息登记表: how many chose each
answer, the purchase motives weighted by rank (first = 3, second = 2, third = 1), the motive by
age band, and only the customers the reader may see."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from crm.core.errors import Invalid
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.questionnaires import exports, selectors, services
from crm.questionnaires.analysis import band_step, weight

from .factories import answers, purchase_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(org):
    """Three owners of rep_a and one of rep_c (销售二部) answered the questionnaire."""
    survey, qs = purchase_survey(org.manager)
    people = [
        (org.rep_a, 28, "二人世界", ["子女教育", "成家"], True),
        (org.rep_a, 34, "三辈之家", ["子女教育", "投资", "成家"], True),
        (org.rep_a, 36, "三辈之家", ["成家"], False),
        (org.rep_c, 52, "四世同堂", ["投资", "父母养老"], True),
    ]
    for n, (rep, age, family, motive, recommend) in enumerate(people):
        owner = make_customer(rep, name=f"业主{n}", category="retained")
        services.response_submit(
            actor=rep,
            form_id=survey.pk,
            customer_id=owner.pk,
            answers=answers(qs, age=age, family=family, motive=motive, recommend=recommend),
        )
    return SimpleNamespace(survey=survey, qs=qs, version=services.published(survey))


def _stats(result, label):
    return next(s for s in result["questions"] if s.question.label == label)


def test_the_analysis_counts_match_the_responses(org, filled):
    result = selectors.form_analysis(actor=org.gm, version=filled.version)
    assert result["total"] == 4
    family = _stats(result, "家庭结构")
    assert [(r.label, r.count) for r in family.rows] == [
        ("单身", 0),
        ("二人世界", 1),
        ("三辈之家", 2),
        ("四世同堂", 1),
    ]
    assert family.chart["series"][0]["data"] == [0, 1, 2, 1]
    recommend = _stats(result, "是否会介绍本项目给朋友")
    assert [(r.label, r.count) for r in recommend.rows] == [("是", 3), ("否", 1)]


def test_ranked_motives_are_weighted_three_two_one_and_counted_per_rank(org, filled):
    motive = _stats(selectors.form_analysis(actor=org.gm, version=filled.version), "购房动机")
    rows = {r.label: r for r in motive.rows}
    # 子女教育: first twice → 6; 成家: second twice, third once, first once → 2+2+1+3 = 8
    assert rows["子女教育"].ranks == [2, 0, 0]
    assert rows["子女教育"].score == 6
    assert rows["成家"].ranks == [1, 1, 1]
    assert rows["成家"].score == 6
    assert rows["投资"].ranks == [1, 1, 0]
    assert rows["投资"].score == 5
    assert rows["父母养老"].ranks == [0, 1, 0]
    assert rows["父母养老"].score == 2
    assert [r.label for r in motive.rows][:2] == ["成家", "子女教育"]  # same score: more answers
    assert [weight(r, 3) for r in (1, 2, 3)] == [3, 2, 1]


def test_a_number_is_summarised_and_banded(org, filled):
    age = _stats(selectors.form_analysis(actor=org.gm, version=filled.version), "年龄")
    assert age.summary["count"] == 4
    assert age.summary["avg"] == 37.5
    assert [(r.label, r.count) for r in age.rows] == [("20–29", 1), ("30–39", 2), ("50–59", 1)]
    assert band_step(18, 75) == 10


def test_the_reader_counts_only_the_customers_they_see(org, filled):
    assert selectors.form_analysis(actor=org.rep_a, version=filled.version)["total"] == 3
    assert selectors.form_analysis(actor=org.manager2, version=filled.version)["total"] == 1


def test_the_motive_by_age_band(org, filled):
    table = selectors.form_crosstab(
        actor=org.gm,
        version=filled.version,
        rows=f"q{filled.qs['motive'].pk}",
        columns=f"q{filled.qs['age'].pk}",
    )
    assert table.columns.order == ["20–29", "30–39", "50–59"]
    assert {label: counts for label, counts, _total in table.cells} == {
        "成家": [0, 1, 0],
        "子女教育": [1, 1, 0],
        "投资": [0, 0, 1],
    }
    assert table.total == 4


def test_a_question_by_customer_category(org, filled):
    table = selectors.form_crosstab(
        actor=org.gm,
        version=filled.version,
        rows=f"q{filled.qs['family'].pk}",
        columns="field:category",
    )
    assert table.columns.order == ["保有客户"]
    assert table.column_totals == [4]


def test_a_text_question_cannot_be_crossed(org, filled):
    with pytest.raises(Invalid):
        selectors.form_crosstab(
            actor=org.gm, version=filled.version, rows="q999999", columns="field:x"
        )


def test_responses_are_searchable_by_an_answer(org, filled):
    found = selectors.response_list(
        actor=org.gm,
        version=filled.version,
        filters=selectors.AnswerFilter(question=filled.qs["family"].pk, value="三辈之家"),
    )
    assert sorted(r.customer.name for r in found) == ["业主1", "业主2"]
    older = selectors.response_list(
        actor=org.gm,
        version=filled.version,
        filters=selectors.AnswerFilter(question=filled.qs["age"].pk, low=Decimal(35)),
    )
    assert sorted(r.customer.name for r in older) == ["业主2", "业主3"]


def test_the_export_holds_the_answers_and_is_audited(org, filled):
    out, name, count = exports.export_responses(
        actor=org.rep_a, version=filled.version, filters=selectors.AnswerFilter()
    )
    sheet = load_workbook(io.BytesIO(out.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("客户编号", "客户名称")
    assert "购房动机" in rows[0]
    assert count == 3
    assert len(rows) == 4  # rep_a's own customers only
    assert "第一：子女教育；第二：投资；第三：成家" in rows[2]
    assert name.endswith("-v1.xlsx")
    assert AuditEvent.objects.filter(verb="questionnaire.exported").count() == 1
