"""The seed's forms as industry templates: installed field for field, published, and filled with
made-up answers by ``crm demo --industry``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from crm.accounts.models import User
from crm.core.errors import Invalid
from crm.questionnaires import installer, selectors, services
from crm.questionnaires.models import Question, QuestionKind, Questionnaire, Response

pytestmark = pytest.mark.django_db


def _labels(name: str) -> dict[str, Question]:
    version = services.published(Questionnaire.objects.get(name=name))
    assert version is not None
    return {q.label: q for q in selectors.questions(version)}


def test_the_real_estate_form_has_the_buyers_and_the_sales_reps_parts(org):
    installer.install(actor=org.manager, industry="realestate")
    form = Questionnaire.objects.get(name="成交客户信息登记表")
    version = services.published(form)
    assert version is not None
    assert [s.section.title for s in selectors.layout(version)] == [
        "一、您的个人资料",
        "二、关于您的购买",
        "三、成交过程（销售代表填写）",
    ]
    q = _labels("成交客户信息登记表")
    motive = q["本次的购房动机"]
    assert motive.kind == QuestionKind.RANKED
    assert motive.max_ranks == 2
    assert q["除价格及地段外，对产品首要考虑的因素"].max_ranks == 5
    assert len(q["除价格及地段外，对产品首要考虑的因素"].choices) == 20
    assert q["来访次数"].choices[-1] == "5次以上"
    assert form.applies_to == ["retained"]
    assert form.event == "deal"


def test_the_truck_account_form_has_its_tables(org):
    installer.install(actor=org.manager, industry="truck")
    q = _labels("卡车销售大客户信息备案表")
    assert q["拜访计划"].columns == ["时间", "拜访人", "核心洽谈内容", "成交障碍", "应对"]
    assert q["车辆（按品牌）"].columns == ["品牌", "数量"]
    assert {"运输货物", "运输路线", "货源", "年运输量", "购车计划"} <= set(q)
    assert (
        Questionnaire.objects.filter(
            name__in=["自卸车大客户档案信息", "危险品牵引车大客户档案信息"]
        ).count()
        == 2
    )


@pytest.mark.parametrize("industry", ["auto", "trade", "shop"])
def test_every_industry_installs(org, industry):
    made = installer.install(actor=org.manager, industry=industry)
    assert made
    assert all(services.published(f) is not None for f in made)


def test_an_unknown_industry_is_refused(org):
    with pytest.raises(Invalid):
        installer.install(actor=org.manager, industry="bakery")


def test_demo_with_an_industry_fills_the_forms():
    out = io.StringIO()
    call_command("demo", "--customers", "30", "--industry", "truck", stdout=out)
    assert "3 张表单" in out.getvalue()
    assert Response.objects.count() == 90  # every customer, three forms
    form = Questionnaire.objects.get(name="卡车销售大客户信息备案表")
    version = services.published(form)
    assert version is not None
    gm = User.objects.get(role="gm")
    assert selectors.form_analysis(actor=gm, version=version)["total"] == 30
