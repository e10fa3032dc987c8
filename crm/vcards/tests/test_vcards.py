"""名片导入: phones' .vcf exports (Android 2.1 with quoted-printable Chinese, iPhone 3.0, 4.0)
become the importer's customers through the normal create service, card by card, with the
outcome of each told before and after."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from crm.customers.models import Contact, Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.vcards import services
from crm.vcards.parser import card_from_dict, card_to_dict, parse

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def cards_of(*names: str):
    return services.read_files([(n, read(n)) for n in names])


# --- reading -------------------------------------------------------------------------------


def test_an_android_export_is_read_with_its_quoted_printable_chinese_and_soft_line_breaks():
    first, second, third = parse(read("android-2.1.vcf"))
    assert (first.version, first.name) == ("2.1", "张三丰")
    assert [p.number for p in first.phones] == ["138-1234-5678", "010-6234-5678"]
    assert first.organization == "宁波星河机械有限公司"
    assert first.notes == ["展会认识，喜欢钓鱼，下季度要换车"]  # joined across the soft break
    assert second.name == "李四"
    assert "PREF" in second.phones[0].kinds
    assert third.name == ""  # a card with a number only


def test_an_iphone_export_is_read_with_groups_types_and_escapes():
    john, alice = parse(read("iphone-3.0.vcf"))
    assert john.name == "John Smith"
    assert john.organization == "Acme Inc. Export"
    assert john.title == "Purchasing Manager"
    assert [(p.number, "FAX" in p.kinds) for p in john.phones] == [
        ("+1 (650) 253-0000", False),
        ("+1 650 253 0001", True),
    ]
    assert john.notes == ["Met at the Canton Fair, booth 12.\nWants samples."]
    assert john.addresses[0][3] == "Mountain View"
    assert alice.emails == ["not-an-email"]


def test_a_vcard_4_tel_uri_is_read_as_its_number():
    (taro,) = parse(read("v4.vcf"))
    assert (taro.version, taro.name) == ("4.0", "山田太郎")
    assert taro.phones[0].number == "+81-3-1234-5678"
    assert {"VOICE", "CELL"} <= taro.phones[0].kinds


def test_a_card_survives_the_round_trip_through_the_preview_page():
    for card in parse(read("iphone-3.0.vcf")):
        assert card_from_dict(card_to_dict(card)) == card


def test_a_file_that_is_no_vcard_is_refused_in_chinese():
    from crm.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        services.read_files([("照片.jpg", b"\xff\xd8\xff\xe0 not a card")])
    assert refused.value.fields == {"files": "照片.jpg 不是 vCard 名片文件（.vcf），或其中没有名片"}


# --- importing -----------------------------------------------------------------------------


def test_every_card_becomes_a_customer_of_the_importer_through_the_create_service(org):
    cards = cards_of("android-2.1.vcf", "iphone-3.0.vcf", "v4.vcf")
    result = services.import_cards(actor=org.rep_a, cards=cards, source="通讯录.vcf")

    assert [(o.index, o.name, o.action) for o in result.outcomes] == [
        (1, "张三丰", "create"),
        (2, "李四", "create"),
        (3, "", "invalid"),
        (4, "John Smith", "create"),
        (5, "Alice Brown", "create"),
        (6, "山田太郎", "create"),
    ]
    assert result.outcomes[2].message == "请填写客户名称"
    zhang = Customer.objects.get(name="张三丰")
    assert (zhang.owner, zhang.phone, zhang.company) == (
        org.rep_a,
        "13812345678",
        "宁波星河机械有限公司",
    )
    assert zhang.email == "zsf@example.com"
    assert "其他电话：010-6234-5678" in zhang.notes
    assert Customer.objects.get(name="李四").phone == "13900000001"
    john = Customer.objects.get(name="John Smith")
    assert (john.phone, john.fax, john.country) == ("+16502530000", "+16502530001", "US")
    assert (john.city, john.website) == ("Mountain View", "https://www.acme.example")
    assert "职位：Purchasing Manager" in john.notes
    alice = Customer.objects.get(name="Alice Brown")
    assert alice.phone == "+442079460958"
    assert alice.email == ""  # refused, kept in the notes instead of losing the card
    assert "邮箱 not-an-email" in alice.notes
    assert "已记入备注" in result.outcomes[4].message
    taro = Customer.objects.get(name="山田太郎")
    assert (taro.phone, taro.country, taro.city) == ("+81312345678", "JP", "東京都")
    # each customer audited as any other, and one event for the import
    assert AuditEvent.objects.filter(verb="customer.created").count() == 5
    event = AuditEvent.objects.get(verb="vcard.imported")
    assert event.details["cards"] == 6
    assert (event.details["create"], event.details["invalid"]) == (5, 1)
    assert "13812345678" not in str(event.details)


def test_a_card_whose_phone_is_a_customer_of_ones_own_becomes_its_contact(org):
    firm = make_customer(
        org.rep_a, name="宁波星河机械有限公司", kind="organization", phone="13812345678"
    )
    result = services.import_cards(actor=org.rep_a, cards=cards_of("android-2.1.vcf"))
    zhang = result.outcomes[0]
    assert (zhang.action, zhang.customer_id) == ("contact", firm.pk)
    assert "添加为其联系人" in zhang.message
    contact = Contact.objects.get(customer=firm)
    assert (contact.name, contact.phone) == ("张三丰", "13812345678")
    assert not Customer.objects.filter(name="张三丰").exists()


def test_a_card_that_is_already_the_customer_or_anothers_is_skipped(org):
    make_customer(org.rep_a, name="李四", phone="13900000001")
    make_customer(org.rep_c, name="Someone", phone="+1 650 253 0000")  # another department's
    result = services.preview(actor=org.rep_a, cards=cards_of("android-2.1.vcf", "iphone-3.0.vcf"))
    by_name = {o.name: o for o in result.outcomes}
    assert by_name["李四"].action == "skip"
    assert by_name["李四"].message.startswith("已是客户 KH")
    assert by_name["John Smith"].action == "skip"
    assert (
        by_name["John Smith"].message == f"电话与负责人 {org.rep_c.display_name} 名下的已有客户重复"
    )
    assert by_name["张三丰"].action == "create"
    assert not Customer.objects.filter(name="张三丰").exists()  # a preview writes nothing


def test_the_same_phone_twice_in_one_file_is_imported_once(org):
    cards = cards_of("v4.vcf", "v4.vcf")
    result = services.import_cards(actor=org.rep_a, cards=cards)
    assert [o.action for o in result.outcomes] == ["create", "skip"]
    assert result.outcomes[1].message == "与本次导入的第 1 张名片电话相同"


def test_who_may_import(org):
    from crm.core.errors import PermissionDenied

    for persona in ("receptionist", "service_staff", "sysadmin"):
        with pytest.raises(PermissionDenied):
            services.preview(actor=getattr(org, persona), cards=cards_of("v4.vcf"))
    assert services.preview(actor=org.manager, cards=cards_of("v4.vcf")).counts["create"] == 1


# --- the API and the page ------------------------------------------------------------------


def _upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, read(name), content_type="text/vcard")


def test_the_api_previews_then_imports(org, call):
    preview = call(
        org.rep_a, "POST", "vcard-imports?dry_run=true", files=[_upload("iphone-3.0.vcf")]
    )
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["dry_run"] is True
    assert [(c["name"], c["action"], c["phone"]) for c in body["cards"]] == [
        ("John Smith", "create", "+1 650-253-0000"),
        ("Alice Brown", "create", "+44 20 7946 0958"),
    ]
    assert not Customer.objects.exists()
    done = call(org.rep_a, "POST", "vcard-imports", files=[_upload("iphone-3.0.vcf")])
    assert done.status_code == 201
    assert done.json()["counts"] == {"create": 2, "contact": 0, "skip": 0, "invalid": 0}
    assert Customer.objects.count() == 2
    refused = call(org.rep_a, "POST", "vcard-imports", files=[tiny_png()])
    assert refused.status_code == 422
    assert "不是 vCard 名片文件" in refused.json()["error"]["fields"]["files"]
    assert (
        call(org.receptionist, "POST", "vcard-imports", files=[_upload("v4.vcf")]).status_code
        == 403
    )


def tiny_png():
    from crm.testing import tiny_png as png

    return png()


def test_the_page_uploads_previews_and_imports(org, as_user):
    client = as_user(org.rep_a)
    url = reverse("web:vcard_import")
    assert "名片文件（.vcf）" in client.get(url).content.decode()
    preview = client.post(url, {"files": [_upload("android-2.1.vcf")]})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "张三丰" in page
    assert "请填写客户名称" in page
    assert not Customer.objects.exists()
    token = preview.context["cards"]
    done = client.post(url, {"cards": token, "source": "android-2.1.vcf"})
    assert done.status_code == 200
    assert "导入结果" in done.content.decode()
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["张三丰", "李四"]
    tampered = client.post(url, {"cards": token[:-2] + "xx"})
    assert tampered.status_code == 422
    assert "预览已过期" in tampered.content.decode()
