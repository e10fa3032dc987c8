"""One declared input per entity (issue 6, section 2): the API's request schema, the web form,
the service and the spreadsheet import take their field shapes and messages from the same
declaration, so they cannot drift apart again (phone 20 in the form but 30 in the API, an ID
number 18 or 30, a profile that truncated what every other path refused)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from crm.accounts import services as accounts
from crm.activities.inputs import FollowUpInput, PlanInput, followup_row
from crm.core.errors import Invalid
from crm.customers import services
from crm.customers.inputs import TAGS_MAX, ContactInput, CustomerInput, customer_row
from crm.customers.models import Customer
from crm.governance.models import AuditEvent
from crm.web.activities.forms import FollowUpForm, PlanForm
from crm.web.customers.forms import ContactForm, CustomerForm

pytestmark = pytest.mark.django_db


def _api(client, name: str) -> Any:
    return client.get("/api/openapi.json").json()["components"]["schemas"][name]["properties"]


@pytest.mark.parametrize(
    ("schema", "model", "form"),
    [
        ("CustomerIn", CustomerInput, CustomerForm),
        ("CustomerPatch", CustomerInput, CustomerForm),
        ("ContactIn", ContactInput, ContactForm),
        ("FollowUpIn", FollowUpInput, FollowUpForm),
        ("PlanIn", PlanInput, PlanForm),
    ],
)
def test_the_api_and_the_form_allow_the_same_lengths_and_choices(client, schema, model, form):
    api = _api(client, schema)
    for name, field in form.base_fields.items():
        if name not in model.model_fields:
            continue
        documented = api[name]
        if isinstance(field, forms.CharField) and field.max_length and name != "tags":
            assert documented["maxLength"] == field.max_length, name
        if isinstance(field, forms.ChoiceField) and "enum" in documented:
            offered = [str(value) for value, _label in list(field.choices)]  # type: ignore[arg-type]
            # a form may offer fewer (a deal or a defeat is entered through 变更状态), never more
            assert set(offered) <= set(documented["enum"]), name


def test_phone_and_id_number_have_one_length_everywhere(client):
    api = _api(client, "CustomerIn")
    fields: Any = CustomerForm.base_fields
    assert api["phone"]["maxLength"] == fields["phone"].max_length == 20
    assert api["id_number"]["maxLength"] == fields["id_number"].max_length == 18
    assert _api(client, "ContactIn")["phone"]["maxLength"] == 20
    assert api["tags"]["maxItems"] == TAGS_MAX
    assert api["tags"]["items"]["maxLength"] == 20


def test_a_profile_too_long_or_with_a_wrong_phone_is_refused_not_cut(org):
    # when a rep saves a 51-character name and a phone that is no phone
    with pytest.raises(Invalid) as refused:
        accounts.profile_update(actor=org.rep_a, full_name="名" * 51, phone="12345")

    # then both are refused with the same messages as everywhere, and nothing changed
    assert refused.value.fields == {
        "full_name": "不能超过 50 个字",
        "phone": "不是有效的中国大陆电话号码",
    }
    org.rep_a.refresh_from_db()
    assert org.rep_a.full_name == "王小明"
    assert not AuditEvent.objects.filter(verb="user.profile_changed").exists()


def test_a_profile_phone_is_normalised_like_a_customers(org):
    accounts.profile_update(actor=org.rep_a, full_name=" 王小明 ", phone="138 1234 5678")
    org.rep_a.refresh_from_db()
    assert (org.rep_a.full_name, org.rep_a.phone) == ("王小明", "13812345678")
    event = AuditEvent.objects.get(verb="user.profile_changed")
    assert event.changes["phone"] == ["", "13812345678"]


def test_more_than_twenty_tags_are_refused_and_nothing_is_stored(org):
    with pytest.raises(Invalid) as refused:
        services.customer_create(
            actor=org.rep_a, data={"name": "甲", "tags": [f"标签{i}" for i in range(21)]}
        )
    assert refused.value.fields == {"tags": "最多 20 项"}
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.filter(verb="customer.created").exists()


def test_a_tag_longer_than_twenty_characters_is_refused_by_the_form_too(org):
    form = CustomerForm(
        {"kind": "person", "name": "甲", "category": "potential", "tags": "标" * 21},
        owners=[org.rep_a],
    )
    assert form.is_valid()  # the form parses; the service decides, with its message
    with pytest.raises(Invalid) as refused:
        services.customer_create(actor=org.rep_a, data=form.service_data())
    assert refused.value.fields == {"tags": "不能超过 20 个字"}


def test_a_spreadsheet_row_is_cleaned_through_the_same_declaration():
    # a phone typed as a number, a count as text, padding around a name
    result = customer_row({"name": " 李四 ", "phone": 13812345678, "staff_count": "12"})
    assert result.errors == {}
    assert result.cleaned == {"name": "李四", "phone": "13812345678", "staff_count": 12}


def test_a_spreadsheet_row_says_what_is_wrong_per_column():
    result = customer_row(
        {"name": "", "phone": "123", "category": "intention", "id_number": "110101199003071234"}
    )
    assert result.cleaned is None
    assert result.errors == {
        "name": "请填写客户名称",
        "phone": "不是有效的中国大陆电话号码",
        "id_number": "身份证号码校验位错误",
    }


def test_a_spreadsheet_row_breaking_a_rule_across_columns_is_refused():
    result = customer_row({"name": "李四", "category": "intention"})
    assert result.cleaned is None
    assert result.errors == {"grade": "意向客户必须选择意向级别（O/H/A/B/C）"}


def test_a_follow_up_row_needs_what_its_kind_needs():
    assert followup_row({"kind": "call"}).errors == {"content": "请填写内容"}
    assert followup_row({"kind": "call", "content": "约周六"}).cleaned == {
        "kind": "call",
        "content": "约周六",
    }
