"""The form builder and filling, as the seed's 成交客户信息登记表 is used: the manager builds
the questionnaire, the sales rep fills it with the customer after the deal."""

from __future__ import annotations

import pytest

from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.questionnaires import selectors, services
from crm.questionnaires.models import Answer, FormVersion, Response, VersionState

from .factories import answers, purchase_survey

pytestmark = pytest.mark.django_db


def test_a_ranked_question_refuses_a_fourth_reason_when_the_maximum_is_three(org):
    # given the purchase questionnaire (购房动机: 第一、第二、第三理由) and a new owner
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, name="李业主", category="retained")
    # when the rep gives four motives
    with pytest.raises(Invalid) as refused:
        services.response_submit(
            actor=org.rep_a,
            form_id=survey.pk,
            customer_id=owner.pk,
            answers=answers(qs, motive=["成家", "子女教育", "投资", "上班方便"]),
        )
    # then it is refused in words, and nothing is stored
    message = refused.value.fields[f"q{qs['motive'].pk}"]
    assert "最多填写 3 项" in message
    assert "第 4 项" in message
    assert not Response.objects.exists()


def test_ranked_reasons_are_stored_with_their_rank(org):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, name="李业主", category="retained")
    response = services.response_submit(
        actor=org.rep_a,
        form_id=survey.pk,
        customer_id=owner.pk,
        answers=answers(qs, age=33, motive=["子女教育", "成家"], recommend=True),
    )
    rows = Answer.objects.filter(response=response, question=qs["motive"])
    assert [(a.position, a.text) for a in rows] == [(1, "子女教育"), (2, "成家")]
    assert Answer.objects.get(response=response, question=qs["recommend"]).text == "是"
    assert AuditEvent.objects.filter(verb="questionnaire.answered").count() == 1


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("age", "三十", "请填写数字"),
        ("family", "五世同堂", "不是本题的选项"),
        ("family", ["单身", "二人世界"], "只能选一项"),
        ("motive", ["成家", "成家"], "不能选两次"),
        ("motive", ["", "成家"], "请按顺序填写"),
        ("recommend", "也许", "请选择是或否"),
    ],
)
def test_answers_are_checked_against_the_question_type(org, key, value, message):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, category="retained")
    with pytest.raises(Invalid) as refused:
        services.response_submit(
            actor=org.rep_a,
            form_id=survey.pk,
            customer_id=owner.pk,
            answers=answers(qs, **{key: value}),
        )
    assert message in refused.value.fields[f"q{qs[key].pk}"]


def test_a_required_question_left_blank_is_named(org):
    survey, qs = purchase_survey(org.manager)
    services.question_update(
        actor=org.manager, form_id=survey.pk, question_id=qs["age"].pk, data={"required": True}
    )
    services.form_publish(actor=org.manager, form_id=survey.pk)
    owner = make_customer(org.rep_a, category="retained")
    with pytest.raises(Invalid) as refused:
        services.response_submit(
            actor=org.rep_a, form_id=survey.pk, customer_id=owner.pk, answers={}
        )
    assert list(refused.value.fields.values()) == ["请填写「年龄」"]


def test_editing_a_published_form_keeps_old_answers_on_their_version(org):
    # given a response to version 1
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, name="李业主", category="retained")
    old = services.response_submit(
        actor=org.rep_a,
        form_id=survey.pk,
        customer_id=owner.pk,
        answers=answers(qs, family="三辈之家", motive=["投资"]),
    )
    # when the manager renames an option and publishes again
    services.question_update(
        actor=org.manager,
        form_id=survey.pk,
        question_id=qs["family"].pk,
        data={"choices": ["单身", "二人世界", "三代同堂", "四世同堂"]},
    )
    v2 = services.form_publish(actor=org.manager, form_id=survey.pk)
    # then version 1 is retired with its questions as they were, and the old answer shows
    assert v2.number == 2
    assert FormVersion.objects.get(form=survey, number=1).state == VersionState.RETIRED
    qs["family"].refresh_from_db()
    assert qs["family"].choices[2] == "三辈之家"
    old = selectors.response_get(actor=org.rep_a, response_id=old.pk)
    shown = {f.question.label: f.text for _s, fs in selectors.response_sections(old) for f in fs}
    assert shown["家庭结构"] == "三辈之家"
    assert shown["购房动机"] == "第一：投资"
    # and the new version is filled with the new option, in a new response
    new_family = v2.questions.get(label="家庭结构")
    new = services.response_submit(
        actor=org.rep_a,
        form_id=survey.pk,
        customer_id=owner.pk,
        answers={str(new_family.pk): "三代同堂"},
    )
    assert new.pk != old.pk
    assert new.version == v2
    assert Response.objects.filter(customer=owner).count() == 2


def test_filling_the_same_version_again_replaces_the_answers(org):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, category="retained")
    for family in ("单身", "二人世界"):
        services.response_submit(
            actor=org.rep_a,
            form_id=survey.pk,
            customer_id=owner.pk,
            answers=answers(qs, family=family),
        )
    assert list(Answer.objects.values_list("text", flat=True)) == ["二人世界"]


def test_a_rep_cannot_fill_a_form_on_another_reps_customer(org):
    survey, qs = purchase_survey(org.manager)
    theirs = make_customer(org.rep_b, category="retained")
    with pytest.raises(NotFound):
        services.response_submit(
            actor=org.rep_a, form_id=survey.pk, customer_id=theirs.pk, answers=answers(qs, age=30)
        )
    assert not Response.objects.exists()


def test_the_manager_fills_forms_of_the_department_and_a_rep_designs_none(org):
    survey, qs = purchase_survey(org.manager)
    theirs = make_customer(org.rep_b, category="retained")
    services.response_submit(
        actor=org.manager, form_id=survey.pk, customer_id=theirs.pk, answers=answers(qs, age=41)
    )
    with pytest.raises(PermissionDenied):
        services.form_create(actor=org.rep_a, data={"name": "自己的表"})


def test_a_form_applies_to_its_customer_categories_only(org):
    survey, _qs = purchase_survey(org.manager, applies_to=["retained"])
    prospect = make_customer(org.rep_a, category="potential")
    with pytest.raises(StateConflict):
        services.response_submit(
            actor=org.rep_a, form_id=survey.pk, customer_id=prospect.pk, answers={}
        )
    assert [f.form for f in selectors.customer_forms(actor=org.rep_a, customer=prospect)] == []


def test_an_unpublished_form_cannot_be_filled(org):
    survey, _qs = purchase_survey(org.manager, publish=False)
    owner = make_customer(org.rep_a, category="retained")
    with pytest.raises(StateConflict):
        services.response_submit(
            actor=org.rep_a, form_id=survey.pk, customer_id=owner.pk, answers={}
        )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "single", "label": "性别", "choices": ["男"]}, "choices", "至少填写两个选项"),
        ({"kind": "single", "label": "性别", "choices": ["男", "男"]}, "choices", "不能重复"),
        (
            {"kind": "ranked", "label": "理由", "choices": ["甲", "乙"], "max_ranks": 3},
            "max_ranks",
            "不能超过选项数",
        ),
        ({"kind": "table", "label": "拜访计划表"}, "columns", "请填写表格的列"),
        ({"kind": "essay", "label": "随笔"}, "kind", "请选择题型"),
        ({"kind": "text", "label": "  "}, "label", "请填写题目"),
    ],
)
def test_a_question_is_refused_with_a_clear_message(org, data, field, message):
    survey = services.form_create(actor=org.manager, data={"name": "测试表"})
    with pytest.raises(Invalid) as refused:
        services.question_add(actor=org.manager, form_id=survey.pk, data=data)
    assert message in refused.value.fields[field]


def test_a_table_question_stores_its_rows(org):
    survey = services.form_create(actor=org.manager, data={"name": "大客户备案"})
    visits = services.question_add(
        actor=org.manager,
        form_id=survey.pk,
        data={"kind": "table", "label": "拜访计划表", "columns": ["时间", "拜访人", "成交障碍"]},
    )
    services.form_publish(actor=org.manager, form_id=survey.pk)
    fleet = make_customer(org.rep_a, kind="organization", name="顺达物流")
    rows = [{"时间": "3月5日", "拜访人": "张三", "成交障碍": "价格"}, {"时间": "", "拜访人": ""}]
    response = services.response_submit(
        actor=org.rep_a, form_id=survey.pk, customer_id=fleet.pk, answers={str(visits.pk): rows}
    )
    assert response.answers.get().rows == [{"时间": "3月5日", "拜访人": "张三", "成交障碍": "价格"}]


def test_questions_move_within_their_section(org):
    survey, qs = purchase_survey(org.manager, publish=False)
    services.question_move(
        actor=org.manager, form_id=survey.pk, question_id=qs["motive"].pk, up=True
    )
    version = FormVersion.objects.get(form=survey)
    assert [q.label for q in selectors.questions(version)] == [
        "年龄",
        "购房动机",
        "家庭结构",
        "是否会介绍本项目给朋友",
    ]
