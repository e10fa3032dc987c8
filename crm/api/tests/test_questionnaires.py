"""The forms' API as a script of the sales office would use it: the manager builds the purchase
questionnaire, the rep submits an owner's answers, the analysis comes back as JSON."""

from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer
from crm.questionnaires.tests.factories import purchase_survey

pytestmark = pytest.mark.django_db


def test_a_manager_builds_and_publishes_a_form(org, call):
    created = call(org.manager, "POST", "questionnaires", {"name": "购房问卷", "event": "deal"})
    assert created.status_code == 201
    form = created.json()
    question = call(
        org.manager,
        "POST",
        f"questionnaires/{form['id']}/questions",
        {"kind": "ranked", "label": "购房动机", "choices": ["成家", "投资", "子女教育"]},
    )
    assert question.json()["max_ranks"] == 3
    published = call(org.manager, "POST", f"questionnaires/{form['id']}/publish")
    assert published.json()["published_version"] == 1
    again = call(org.manager, "POST", f"questionnaires/{form['id']}/publish")
    assert again.status_code == 409


def test_a_fourth_reason_is_refused_with_a_chinese_message(org, call):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, category="retained")
    motive = qs["motive"].pk
    response = call(
        org.rep_a,
        "PUT",
        f"customers/{owner.pk}/questionnaires/{survey.pk}",
        {"answers": {str(motive): ["成家", "子女教育", "投资", "上班方便"]}},
    )
    assert response.status_code == 422
    assert "最多填写 3 项" in response.json()["error"]["fields"][f"q{motive}"]


def test_submitted_answers_come_back_and_count_in_the_analysis(org, call):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, category="retained")
    answers = {str(qs["age"].pk): 35, str(qs["motive"].pk): ["投资", "成家"]}
    saved = call(
        org.rep_a, "PUT", f"customers/{owner.pk}/questionnaires/{survey.pk}", {"answers": answers}
    )
    assert saved.status_code == 200
    assert saved.json()["answers"] == {
        str(qs["age"].pk): "35",
        str(qs["motive"].pk): ["投资", "成家"],
    }
    got = call(org.rep_a, "GET", f"customers/{owner.pk}/questionnaires/{survey.pk}").json()
    assert [r["version"] for r in got] == [1]
    analysis = call(
        org.manager,
        "GET",
        f"questionnaires/{survey.pk}/analysis?rows=q{qs['motive'].pk}&columns=field:category",
    ).json()
    assert analysis["total"] == 1
    motive = next(q for q in analysis["questions"] if q["label"] == "购房动机")
    invest = next(r for r in motive["rows"] if r["label"] == "投资")
    assert invest["ranks"] == [1, 0, 0]
    assert invest["score"] == 3
    assert analysis["crosstab"]["cells"][0] == {"label": "投资", "counts": [1], "total": 1}


def test_the_responses_list_reads_a_fixed_number_of_queries(
    org, call, django_assert_max_num_queries
):
    survey, qs = purchase_survey(org.manager)
    for n in range(12):
        owner = make_customer(org.rep_a, category="retained", name=f"业主{n}")
        call(
            org.rep_a,
            "PUT",
            f"customers/{owner.pk}/questionnaires/{survey.pk}",
            {"answers": {str(qs["age"].pk): 30 + n, str(qs["motive"].pk): ["投资"]}},
        )
    with django_assert_max_num_queries(16):
        listed = call(org.manager, "GET", f"questionnaires/{survey.pk}/responses")
    assert len(listed.json()) == 12
