"""International customers (issue 10, part 5): phones of any country, stored normalised
(mainland numbers as their digits, as before; others in E.164), found by the whole number,
masked with their country code, and refused in Chinese when no such number can exist."""

from __future__ import annotations

import pytest
from django.test import override_settings

from crm.core.errors import Duplicate, Invalid
from crm.core.validators import format_phone, normalize_phone
from crm.customers import selectors, sensitive, services
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.masking import masker_for
from crm.reception import services as reception

pytestmark = pytest.mark.django_db

# (as typed, as stored, as shown)
FOREIGN = [
    ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),  # London
    ("+1 (650) 253-0000", "+16502530000", "+1 650-253-0000"),  # California
    ("0081 3-1234-5678", "+81312345678", "+81 3-1234-5678"),  # Tokyo, dialled from China
]


def names(actor, q):
    page = selectors.customer_list(actor=actor, filters=selectors.CustomerFilters(q=q))
    return [c.name for c in page.items]


@pytest.mark.parametrize(("typed", "stored", "shown"), FOREIGN)
def test_a_foreign_number_is_stored_in_e164_and_found_by_the_whole_number(
    org, typed, stored, shown
):
    customer = make_customer(org.rep_a, name="Overseas Buyer", phone=typed)

    assert Customer.objects.get(pk=customer.pk).phone == stored
    assert format_phone(stored) == shown
    # searched as it is shown, as it is stored, and as it was typed
    for q in (shown, stored, typed):
        assert names(org.rep_a, q) == ["Overseas Buyer"], q
    # the duplicate check compares the normalised number, however it is written
    with pytest.raises(Duplicate):
        make_customer(org.rep_b, name="Again", phone=shown)


def test_a_reader_who_may_not_see_phones_finds_a_foreign_customer_by_the_whole_number_only(org):
    from crm.governance import services as governance
    from crm.governance.confidentiality import Level

    make_customer(org.rep_a, name="London Ltd", phone="+44 20 7946 0958")
    governance.confidentiality_update(
        actor=org.data_admin, levels={"phone": int(Level.SECRET)}, clearances={}
    )
    rep = type(org.rep_a).objects.get(pk=org.rep_a.pk)  # a new request: a new masker
    assert not sensitive.may_see_phones(rep)
    assert names(rep, "+44 20 7946 0958") == ["London Ltd"]
    assert names(rep, "0044 20 7946 0958") == ["London Ltd"]
    assert names(rep, "7946 0958") == []  # a fragment tells nothing


def test_the_front_desk_finds_a_foreign_customer_by_phone(org):
    customer = make_customer(org.rep_a, name="Tokyo KK", phone="+81 3-1234-5678")
    found = reception.customer_lookup(actor=org.receptionist, data={"query": "+81 3 1234 5678"})
    assert found is not None
    assert found.number == customer.number


def test_an_impossible_number_is_refused_in_chinese_and_nothing_is_stored(org):
    with pytest.raises(Invalid) as refused:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "phone": "+44 12"})
    assert refused.value.fields == {"phone": "英国电话号码（+44）位数太少"}
    with pytest.raises(Invalid) as refused:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "phone": "+1 555 0100 123"})
    assert refused.value.fields == {"phone": "不是有效的美国电话号码（+1）"}
    with pytest.raises(Invalid) as refused:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "phone": "+999 1234 5678"})
    assert "国家代码不存在" in refused.value.fields["phone"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("010-62345678", "01062345678"),
    ],
)
def test_a_mainland_number_is_stored_as_before(org, typed, stored):
    customer = make_customer(org.rep_a, name="张三", phone=typed)
    assert Customer.objects.get(pk=customer.pk).phone == stored
    assert format_phone(stored) == stored
    assert names(org.rep_a, typed) == ["张三"]


def test_a_number_without_country_code_is_read_in_the_configured_region():
    assert normalize_phone("2123 4567", region="HK") == "+85221234567"
    with override_settings(CRM_DEFAULT_PHONE_REGION="HK"):
        assert normalize_phone("2123 4567") == "+85221234567"
        assert normalize_phone("+86 138 1234 5678") == "13812345678"  # the mainland stays
    with pytest.raises(ValueError, match="不是有效的中国大陆电话号码"):
        normalize_phone("2123 4567")  # by default a number without a code is a Chinese one


def test_the_us_written_as_plus_zero_one_is_read_as_plus_one():
    # foreign-trade tables often write the US's code as +01
    assert normalize_phone("+01 650 253 0000") == "+16502530000"


def test_a_foreign_number_is_masked_with_its_country_code_and_area():
    assert sensitive.mask_phone("+442079460958") == "+44 20****0958"
    assert sensitive.mask_phone("+16502530000") == "+1 65****0000"
    assert sensitive.mask_phone("13912345678") == "139****5678"  # the mainland as before


def test_a_reader_without_clearance_sees_a_foreign_number_masked(org):
    customer = make_customer(org.rep_a, name="London Ltd", phone="+44 20 7946 0958")
    shown = masker_for(org.receptionist).show(Customer.objects.get(pk=customer.pk))
    assert shown.phone == "+44 20****0958"
    assert format_phone(shown.phone) == "+44 20****0958"  # a masked value is not reformatted


def test_a_contact_may_have_a_foreign_phone(org):
    customer = make_customer(org.rep_a, name="Acme", kind="organization")
    contact = services.contact_create(
        actor=org.rep_a,
        customer_id=customer.pk,
        data={"name": "John Smith", "phone": "+1 650 253 0000"},
    )
    assert contact.phone == "+16502530000"
    assert names(org.rep_a, "+1 650 253 0000") == ["Acme"]


# --- the foreign-trade fields (国际客户) -----------------------------------------------------

FOREIGN_TRADE = {
    "country": "US",
    "language": "en",
    "time_zone": "america/new_york",
    "company_type": "trader",
    "currency": "USD",
    "website": "www.fashionlady.example",
    "fax": "+1 650 253 0001",
}


def test_an_international_customer_keeps_its_foreign_trade_details(org):
    customer = make_customer(org.rep_a, name="Fashion Lady Ltd.", **FOREIGN_TRADE)
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.country, stored.language, stored.time_zone) == ("US", "en", "America/New_York")
    assert (stored.company_type, stored.currency) == ("trader", "USD")
    assert stored.website == "https://www.fashionlady.example"
    assert stored.fax == "+16502530001"
    assert stored.get_country_display() == "美国"
    assert stored.get_company_type_display() == "贸易商"
    assert stored.get_currency_display() == "USD 美元"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "不是有效的时区，请填写 IANA 时区名称，如 Europe/London"),
        ("website", "http://", "网址格式不正确，如 https://www.example.com"),
        ("country", "XX", "不是有效的选项"),
        ("currency", "DEM", "不是有效的选项"),  # the Deutsche Mark is no longer paid in
        ("company_type", "broker", "不是有效的选项"),
        ("fax", "+44 12", "英国电话号码（+44）位数太少"),
    ],
)
def test_a_wrong_foreign_trade_detail_is_refused_in_chinese(org, field, value, message):
    with pytest.raises(Invalid) as refused:
        services.customer_create(actor=org.rep_a, data={"name": "甲", field: value})
    assert refused.value.fields == {field: message}


def test_the_front_desk_sees_the_fax_masked_and_the_rest_not_at_all(org):
    customer = make_customer(org.rep_a, name="Fashion Lady Ltd.", **FOREIGN_TRADE)
    shown = masker_for(org.receptionist).show(Customer.objects.get(pk=customer.pk))
    assert shown.fax == "+1 65****0001"
    assert shown.time_zone == "***"
    assert masker_for(org.rep_a).show(customer).fax == "+16502530001"


def test_the_api_takes_and_shows_the_foreign_trade_details(org, call):
    created = call(
        org.rep_a,
        "POST",
        "customers",
        {"name": "Tokyo KK", "phone": "+81 3-1234-5678", **FOREIGN_TRADE, "country": "JP"},
    )
    assert created.status_code == 201, created.content
    body = call(org.rep_a, "GET", f"customers/{created.json()['id']}", lang="zh-hans").json()
    assert body["phone"] == "+81312345678"
    assert (body["country"], body["country_label"]) == ("JP", "日本")
    assert (body["currency"], body["currency_label"]) == ("USD", "USD 美元")
    assert body["company_type_label"] == "贸易商"
    assert body["time_zone"] == "America/New_York"
    english = call(org.rep_a, "GET", f"customers/{created.json()['id']}", lang="en").json()
    assert english["country_label"] == "Japan"
    refused = call(org.rep_a, "POST", "customers", {"name": "X", "time_zone": "Nowhere"})
    assert refused.status_code == 422
    assert "时区" in refused.json()["error"]["fields"]["time_zone"]


def test_the_form_folds_the_international_fields_away_unless_filled(org, as_user):
    from django.urls import reverse

    client = as_user(org.rep_a)
    blank = client.get(reverse("web:customer_create")).content.decode()
    assert '<fieldset class="card international-fields" id="international">\n    <details>' in blank
    foreign = make_customer(org.rep_a, name="Fashion Lady Ltd.", **FOREIGN_TRADE)
    edit = client.get(reverse("web:customer_edit", args=[foreign.pk])).content.decode()
    assert "<details open>" in edit
    assert 'value="+1 650-253-0001"' in edit  # the fax as it is shown, not as stored
    detail = client.get(reverse("web:customer_detail", args=[foreign.pk])).content.decode()
    assert "国际客户" in detail
    assert "美国" in detail
    assert "America/New_York" in detail
    domestic = make_customer(org.rep_a, name="张三")
    plain = client.get(reverse("web:customer_detail", args=[domestic.pk])).content.decode()
    assert "国际客户" not in plain  # no empty section on a domestic customer
