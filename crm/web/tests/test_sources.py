"""认知途径 as a list the company edits (issue 7 §3): seeded with today's channels and those the
customers already carry; the general manager adds, renames, reorders and switches them off; one
switched off is not offered for new customers but stays on those that have it — in the web form,
the API and an import row alike."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crm.customers import sources
from crm.customers.inputs import customer_row
from crm.customers.models import Customer, Source
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.web.tests.test_customers import edit_data, find, form_data

SETTINGS = "/settings/sources/"


def _source_options(body: str) -> str:
    return str(find(r'<select name="source".*?</select>', body).group(0))


def test_the_seeded_list_has_todays_channels_and_the_forms_ones(db):
    names = list(Source.objects.values_list("name", flat=True))
    for name in (
        "微信",
        "抖音",
        "汽车之家",
        "懂车帝",
        "贝壳",
        "58同城",
        "老客户介绍",
        "亲友介绍",
        "电视广告",
    ):
        assert name in names
    assert Source.objects.get(code="referral").name == "亲友介绍"  # old customers' codes stay


def test_the_gm_adds_a_source_and_it_is_offered_on_the_customer_form(as_user, org):
    client = as_user(org.gm)
    response = client.post(SETTINGS, {"new-name": "小红书", "new-order": ""}, follow=True)
    assert "已添加认知途径“小红书”" in response.content.decode()
    source = Source.objects.get(name="小红书")
    assert source.active
    assert AuditEvent.objects.filter(verb="source.created").exists()
    body = as_user(org.rep_a).get(reverse("web:customer_create")).content.decode()
    assert f'value="{source.code}">小红书<' in _source_options(body)


def test_a_duplicate_or_blank_name_is_refused_in_place(as_user, org):
    client = as_user(org.gm)
    response = client.post(SETTINGS, {"new-name": "抖音", "new-order": ""})
    assert response.status_code == 422
    assert "已有同名的认知途径" in response.content.decode()
    response = client.post(SETTINGS, {"new-name": "   ", "new-order": ""})
    assert response.status_code == 422


def test_a_switched_off_source_is_not_offered_but_stays_on_old_customers(as_user, org, call):
    # given a customer who came through TV advertising
    old = make_customer(org.rep_a, name="老客户", source="tv")
    tv = Source.objects.get(code="tv")

    # when the general manager switches TV off
    response = as_user(org.gm).post(
        reverse("web:source_edit", args=[tv.pk]),
        {f"s{tv.pk}-name": "电视广告", f"s{tv.pk}-order": tv.order},
    )
    assert response.status_code == 302
    tv.refresh_from_db()
    assert not tv.active

    # then a new customer is not offered it, and is refused it on the web, the API and import
    client = as_user(org.rep_a)
    new_form = client.get(reverse("web:customer_create")).content.decode()
    assert 'value="tv"' not in _source_options(new_form)
    response = client.post(reverse("web:customer_create"), form_data(name="新客户", source="tv"))
    assert response.status_code == 422
    assert not Customer.objects.filter(name="新客户").exists()
    api = call(org.rep_a, "POST", "customers", {"name": "新客户", "source": "tv"})
    assert api.status_code == 422
    assert api.json()["error"]["fields"]["source"] == "该认知途径已停用"
    assert customer_row({"name": "新客户", "source": "tv"}).errors["source"] == "该认知途径已停用"

    # but the old customer keeps it, shown and kept on edit
    detail = client.get(reverse("web:customer_detail", args=[old.pk])).content.decode()
    assert "电视广告" in detail
    edit = client.get(reverse("web:customer_edit", args=[old.pk])).content.decode()
    assert re.search(r'value="tv" selected>电视广告 · 已停用<', _source_options(edit))
    response = client.post(
        reverse("web:customer_edit", args=[old.pk]), edit_data(old, source="tv", city="宁波")
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.source, old.city) == ("tv", "宁波")
    api = call(org.rep_a, "GET", f"customers/{old.pk}").json()
    assert (api["source"], api["source_label"]) == ("tv", "电视广告")


def test_the_api_lists_the_sources_with_their_state(org, call):
    Source.objects.filter(code="tv").update(active=False)
    listed = {s["code"]: s for s in call(org.rep_a, "GET", "sources").json()}
    assert listed["wechat"] == {"code": "wechat", "name": "微信", "label": "微信", "active": True}
    english = {s["code"]: s for s in call(org.rep_a, "GET", "sources", lang="en").json()}
    assert (english["wechat"]["name"], english["wechat"]["label"]) == ("微信", "WeChat")
    assert listed["tv"]["active"] is False


def test_an_unknown_source_code_is_refused(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "张三", "source": "tiktok"})
    assert response.json()["error"]["fields"] == {"source": "不是有效的选项"}


def test_a_rename_shows_on_customers_that_have_the_source(org):
    customer = make_customer(org.rep_a, name="张三", source="douyin")
    douyin = Source.objects.get(code="douyin")
    sources.source_update(
        actor=org.gm, source_id=douyin.pk, name="抖音直播", order=douyin.order, active=True
    )
    assert sources.source_names()[customer.source] == "抖音直播"


@pytest.mark.parametrize("who", ["rep_a", "manager", "sysadmin", "data_admin"])
def test_only_who_manages_the_settings_edits_sources(as_user, org, who):
    response = as_user(getattr(org, who)).post(SETTINGS, {"new-name": "小红书"})
    assert response.status_code == 403
    assert not Source.objects.filter(name="小红书").exists()
