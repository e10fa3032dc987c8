"""The forms' pages (调查表): the manager builds a form in the browser's forms, the rep fills it
from the customer's page, the responses and the analysis show it."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from crm.customers.tests.factories import make_customer
from crm.questionnaires import installer, services
from crm.questionnaires.models import Answer, Questionnaire, Response
from crm.questionnaires.tests.factories import answers, purchase_survey

pytestmark = pytest.mark.django_db


def test_the_manager_builds_and_publishes_a_form(org, as_user):
    client = as_user(org.manager)
    # given a new form
    response = client.post(
        reverse("web:form_list"), {"name": "购房问卷", "applies_to": ["retained"], "event": "deal"}
    )
    form = Questionnaire.objects.get(name="购房问卷")
    assert response["Location"] == reverse("web:form_builder", args=[form.pk])
    builder = reverse("web:form_builder", args=[form.pk])
    latest = services.latest_version(form)
    assert latest is not None
    section = latest.sections.get()
    # when a ranked question is added and the form published
    added = client.post(
        builder,
        {
            "do": "question",
            "section": section.pk,
            "kind": "ranked",
            "label": "购房动机",
            "choices": "成家\n子女教育\n投资\n上班方便",
            "max_ranks": 3,
        },
    )
    assert added.status_code == 302
    client.post(builder, {"do": "publish"})
    # then the builder shows the published version
    page = client.get(builder).content.decode()
    assert "购房动机" in page
    assert "第 1 版已发布" in page


def test_a_question_without_options_is_refused_on_the_page(org, as_user):
    form = services.form_create(actor=org.manager, data={"name": "问卷"})
    response = as_user(org.manager).post(
        reverse("web:form_builder", args=[form.pk]),
        {"do": "question", "kind": "single", "label": "性别", "choices": "男"},
    )
    assert response.status_code == 422
    assert "请至少填写两个选项" in response.content.decode()


def test_the_rep_fills_the_form_from_the_customers_page(org, as_user):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, name="李业主", category="retained")
    client = as_user(org.rep_a)
    detail = client.get(reverse("web:customer_detail", args=[owner.pk])).content.decode()
    fill = reverse("web:form_fill", args=[survey.pk, owner.pk])
    assert fill in detail
    motive = qs["motive"].field_name
    response = client.post(
        fill,
        {
            qs["age"].field_name: "33",
            qs["family"].field_name: "三辈之家",
            f"{motive}_r1": "子女教育",
            f"{motive}_r2": "成家",
            f"{motive}_r3": "",
            qs["recommend"].field_name: "yes",
        },
    )
    assert response.status_code == 302
    stored = Response.objects.get(customer=owner)
    assert list(
        Answer.objects.filter(response=stored, question=qs["motive"]).values_list("text", flat=True)
    ) == ["子女教育", "成家"]


def test_a_wrong_answer_is_shown_next_to_its_question(org, as_user):
    survey, qs = purchase_survey(org.manager)
    owner = make_customer(org.rep_a, category="retained")
    response = as_user(org.rep_a).post(
        reverse("web:form_fill", args=[survey.pk, owner.pk]), {qs["age"].field_name: "三十"}
    )
    assert response.status_code == 422
    assert "年龄：请填写数字" in response.content.decode()


def test_the_analysis_page_carries_the_chart_data(org, as_user):
    survey, qs = purchase_survey(org.manager)
    for n in range(3):
        owner = make_customer(org.rep_a, category="retained", name=f"业主{n}")
        services.response_submit(
            actor=org.rep_a,
            form_id=survey.pk,
            customer_id=owner.pk,
            answers=answers(qs, age=30 + n, motive=["投资"]),
        )
    page = as_user(org.manager).get(
        reverse("web:form_analysis", args=[survey.pk]),
        {"rows": f"q{qs['motive'].pk}", "columns": f"q{qs['age'].pk}"},
    )
    body = page.content.decode()
    found = re.search(rf'id="q-chart-q{qs["motive"].pk}"[^>]*>(.*?)</script>', body)
    assert found is not None
    chart = json.loads(found.group(1))
    assert chart["series"][0]["name"] == "第一"
    assert chart["series"][0]["data"][chart["categories"].index("投资")] == 3
    assert "crosstab-chart" in body


def test_the_responses_are_filtered_and_exported(org, as_user):
    survey, qs = purchase_survey(org.manager)
    for family in ("单身", "三辈之家"):
        owner = make_customer(org.rep_a, category="retained", name=f"{family}业主")
        services.response_submit(
            actor=org.rep_a,
            form_id=survey.pk,
            customer_id=owner.pk,
            answers=answers(qs, family=family),
        )
    client = as_user(org.manager)
    page = client.get(
        reverse("web:form_responses", args=[survey.pk]),
        {"question": qs["family"].pk, "value": "三辈之家"},
    ).content.decode()
    assert "三辈之家业主" in page
    assert "单身业主" not in page
    export = client.get(reverse("web:form_export", args=[survey.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_templates_install_from_the_settings_page(org, as_user):
    response = as_user(org.manager).post(reverse("web:form_templates"), {"industry": "truck"})
    assert response.status_code == 302
    assert set(Questionnaire.objects.values_list("name", flat=True)) == {
        "卡车销售大客户信息备案表",
        "自卸车大客户档案信息",
        "危险品牵引车大客户档案信息",
    }


def test_installing_twice_adds_nothing(org):
    installer.install(actor=org.manager, industry="realestate")
    assert installer.install(actor=org.manager, industry="realestate") == []
    form = Questionnaire.objects.get()
    version = services.published(form)
    assert version is not None
    assert version.questions.count() == 44
