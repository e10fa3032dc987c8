"""Encryption at rest of phones, ID numbers and bank accounts (issue 9 §2, ADR 0009)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from crm.core.errors import Duplicate
from crm.customers import crypto, keys, search, selectors, sensitive, services
from crm.customers.models import Contact, Customer
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
ACCOUNT = "6222020200112233445"


def raw(table: str, columns: str, pk: int) -> Any:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()


def search_row(pk: int) -> Any:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT document::text FROM {search.TABLE} WHERE rowid = %s", [pk])
        else:
            cur.execute(
                f"SELECT name_chars || ' ' || pinyin || ' ' || digits FROM {search.TABLE} "
                "WHERE rowid = %s",
                [pk],
            )
        return cur.fetchone()[0]


def names(actor, q):
    page = selectors.customer_list(actor=actor, filters=selectors.CustomerFilters(q=q))
    return [c.name for c in page.items]


@pytest.fixture
def person(org):
    return make_customer(
        org.rep_a,
        name="张三",
        phone=PHONE,
        id_number=ID_NUMBER,
        bank_name="工商银行北京分行",
        bank_account="6222 0202 0011 2233 445",
    )


def test_the_stored_columns_hold_ciphertext_not_the_values(org, person):
    stored = raw("customers_customer", "phone, id_number, bank_account, bank_name", person.pk)
    phone, id_number, account, bank = stored
    for value, plain in ((phone, PHONE), (id_number, ID_NUMBER), (account, ACCOUNT)):
        assert value.startswith("k1:")
        assert plain not in value
        assert plain[-4:] not in value
    assert bank == "工商银行北京分行"  # the bank's name is not secret
    fresh = Customer.objects.get(pk=person.pk)
    assert (fresh.phone, fresh.id_number, fresh.bank_account) == (PHONE, ID_NUMBER, ACCOUNT)
    # the search index holds no run of the phone's digits either
    indexed = search_row(person.pk)
    assert "张" in indexed
    assert all(PHONE[i : i + 4] not in indexed for i in range(len(PHONE) - 3))


def test_two_customers_with_one_phone_have_different_ciphertexts_and_one_blind_index(org):
    first = make_customer(org.rep_a, name="甲", phone=PHONE)
    services.customer_delete(actor=org.rep_a, customer_id=first.pk, version=first.version)
    second = make_customer(org.rep_a, name="乙", phone=PHONE)
    a = raw("customers_customer", "phone, phone_index", first.pk)
    b = raw("customers_customer", "phone, phone_index", second.pk)
    assert a[0] != b[0]  # a fresh nonce each time
    assert a[1] == b[1]
    assert len(a[1]) == 16


def test_a_contacts_phone_is_encrypted_too(org):
    company = make_customer(org.rep_a, name="华联科技有限公司", kind="organization")
    contact = services.contact_create(
        actor=org.rep_a, customer_id=company.pk, data={"name": "李经理", "phone": "13911112222"}
    )
    (stored,) = raw("customers_contact", "phone", contact.pk)
    assert stored.startswith("k1:")
    assert "13911112222" not in stored
    assert Contact.objects.get(pk=contact.pk).phone == "13911112222"
    assert names(org.rep_a, "1111") == ["华联科技有限公司"]


def test_duplicate_checks_and_exact_lookups_use_the_blind_index(org, person):
    with pytest.raises(Duplicate) as phone_taken:
        make_customer(org.rep_b, name="李四", phone=PHONE)
    assert "phone" in phone_taken.value.fields
    with pytest.raises(Duplicate) as id_taken:
        make_customer(org.rep_b, name="李四", id_number=ID_NUMBER)
    assert "id_number" in id_taken.value.fields
    # the database itself refuses a second live row with the same keyed hash
    twin = Customer(name="王五", owner=org.rep_b)
    sensitive.write_phone(twin, PHONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert list(Customer.objects.filter(sensitive.phone_lookup(PHONE))) == [person]
    assert names(org.rep_a, ID_NUMBER) == ["张三"]  # an ID number typed whole


def test_phone_fragments_are_found_anywhere_in_the_number(org, person):
    make_customer(org.rep_a, name="李四", phone="13900001234")
    assert names(org.rep_a, "1234") == ["李四", "张三"]  # 138(1234)5678, 1390000(1234)
    assert names(org.rep_a, "12345") == ["张三"]
    assert names(org.rep_a, "2345678") == ["张三"]
    assert names(org.rep_a, PHONE) == ["张三"]
    assert names(org.rep_a, "+86 138 1234 5678") == ["张三"]
    assert names(org.rep_a, "5679") == []
    assert names(org.rep_a, "45679") == []  # 4567 is in 张三's number, 5679 is not


def test_fragment_search_is_only_for_those_who_may_see_phones(org, person):
    previous = sensitive._phone_rule
    sensitive.set_phone_rule(lambda actor: actor.username not in {"rep_a", "rep_b"})
    try:
        assert names(org.manager, "5678") == ["张三"]
        assert names(org.rep_a, "5678") == []  # a fragment would tell whose numbers hold it
        assert names(org.rep_a, PHONE) == ["张三"]  # the whole number: an exact lookup
        assert names(org.rep_b, PHONE) == []  # and still only within the rep's scope
    finally:
        sensitive.set_phone_rule(previous)
    assert names(org.rep_a, "5678") == ["张三"]


def _ring(**entries: str) -> str:
    return ";".join(f"{k}={v}" for k, v in entries.items())


def _current() -> dict[str, str]:
    text = settings.CRM_ENCRYPTION_KEY
    return dict(entry.split("=", 1) for entry in text.split(";"))


def test_rotation_reencrypts_everything_and_resumes_after_an_interruption(org):
    people = [make_customer(org.rep_a, name=f"客户{i}", id_number="") for i in range(5)]
    make_customer(org.rep_a, name="赵六", phone=PHONE, id_number=ID_NUMBER, bank_account=ACCOUNT)
    phones = {c.pk: c.phone for c in people}
    old = _current()
    new = crypto.new_secret()
    with override_settings(CRM_ENCRYPTION_KEY=_ring(index=old["index"], k2=new, k1=old["k1"])):

        class Interrupted(Exception):
            pass

        def stop(progress: keys.Progress) -> None:
            raise Interrupted

        with pytest.raises(Interrupted):
            keys.rotate(batch=2, on_batch=stop)
        assert keys.usage()["customers_customer.phone"] == {"k1": 4, "k2": 2}
        # meanwhile everything reads, and lookups and duplicate checks work
        assert {c.pk: c.phone for c in Customer.objects.filter(pk__in=phones)} == phones
        with pytest.raises(Duplicate):
            make_customer(org.rep_b, name="重复", phone=people[0].phone)
        out = io.StringIO()
        call_command("keys", "rotate", "--batch", "2", stdout=out)
        # the 4 phones left, the ID number and the bank account
        assert "rotated to k2: 6 values re-encrypted" in out.getvalue()
        assert "no stored value needs k1 now" in out.getvalue()
        usage = keys.usage()
        assert usage["customers_customer.phone"] == {"k2": 6}
        assert usage["customers_customer.id_number"] == {"k2": 1}
        assert usage["customers_customer.bank_account"] == {"k2": 1}
    # the old key is no longer needed
    with override_settings(CRM_ENCRYPTION_KEY=_ring(index=old["index"], k2=new)):
        assert {c.pk: c.phone for c in Customer.objects.filter(pk__in=phones)} == phones
        assert Customer.objects.get(name="赵六").bank_account == ACCOUNT
        assert names(org.rep_a, people[0].phone) == ["客户0"]
        assert names(org.rep_a, "45678") == ["赵六"]
        assert names(org.rep_a, ID_NUMBER) == ["赵六"]
    # while without the new key nothing rotated decrypts, and the error says which key
    with (
        override_settings(CRM_ENCRYPTION_KEY=_ring(index=old["index"], k1=old["k1"])),
        pytest.raises(ImproperlyConfigured, match="k2"),
    ):
        Customer.objects.get(pk=people[0].pk).phone  # noqa: B018


def test_key_file_new_rotate_retire(org, tmp_path):
    person = make_customer(org.rep_a, name="张三", phone=PHONE)
    path = tmp_path / "keys"
    path.write_text("\n".join(settings.CRM_ENCRYPTION_KEY.split(";")) + "\n")
    out = io.StringIO()
    with override_settings(
        CRM_ENCRYPTION_KEY="", CRM_ENCRYPTION_KEY_FILE=str(path), CRM_ENCRYPTION_KEY_GENERATE=False
    ):
        call_command("keys", "rotate", "--new", stdout=out)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert crypto.keyring().primary == "k2"
        assert raw("customers_customer", "phone", person.pk)[0].startswith("k2:")
        with pytest.raises(CommandError, match="k2"):
            call_command("keys", "retire", "k2", stdout=out)  # the primary key
        call_command("keys", "retire", "k1", stdout=out)
        assert "k1=" not in path.read_text()
        crypto.forget()
        assert Customer.objects.get(pk=person.pk).phone == PHONE
        assert names(org.rep_a, "5678") == ["张三"]


def test_a_missing_key_is_a_clear_error(tmp_path):
    with (
        override_settings(
            CRM_ENCRYPTION_KEY="",
            CRM_ENCRYPTION_KEY_FILE=str(tmp_path / "missing"),
            CRM_ENCRYPTION_KEY_GENERATE=False,
        ),
        pytest.raises(ImproperlyConfigured, match="CRM_ENCRYPTION_KEY"),
    ):
        crypto.keyring()
    with (
        override_settings(CRM_ENCRYPTION_KEY="k1=tooshort"),
        pytest.raises(ImproperlyConfigured, match="32"),
    ):
        crypto.keyring()


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_key_and_a_laptop_gets_one(tmp_path: Path):
    production = _start(
        {"CRM_DATA_DIR": str(tmp_path / "a"), "DATABASE_URL": "postgres://nobody@127.0.0.1/x"}
    )
    assert production.returncode != 0
    assert "CRM_ENCRYPTION_KEY" in production.stderr
    laptop = _start({"CRM_DATA_DIR": str(tmp_path / "b")})
    assert laptop.stdout.strip() == "started", laptop.stderr
    key_file = tmp_path / "b" / "encryption_keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert crypto.parse(key_file.read_text()).primary == "k1"
    first = key_file.read_text()
    again = _start({"CRM_DATA_DIR": str(tmp_path / "b")})
    assert again.returncode == 0
    assert key_file.read_text() == first  # the same key next time


# Transactional (migrations run outside a test transaction), and leaving the data the migrations
# seed for the next transactional test (which restores it from the serialised copy)
@pytest.mark.long
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_existing_rows_and_reindexes_them():
    from django.db.migrations.executor import MigrationExecutor

    before = [("customers", "0016_rep_works_shared_customers")]
    after = [("customers", "0017_encryption_at_rest")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldCustomer = old.get_model("customers", "Customer")
    OldContact = old.get_model("customers", "Contact")
    rows = [
        OldCustomer(name=f"客户{i}", phone_store=f"1380000{i:04d}", number=f"KH{i:06d}")
        for i in range(1, 6)
    ]
    rows[0].id_number_store = ID_NUMBER
    OldCustomer.objects.bulk_create(rows)
    first = OldCustomer.objects.get(name="客户1")
    OldContact.objects.create(customer=first, name="联系人", phone_store="13911112222")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    with connection.cursor() as cur:
        cur.execute("SELECT phone, phone_index, id_number FROM customers_customer ORDER BY id")
        stored = cur.fetchall()
    assert all(p.startswith("k1:") and len(i) == 16 for p, i, _ in stored)
    assert stored[0][2].startswith("k1:")
    # the columns 0017 knows of (later migrations, not applied yet, add others)
    at_0017 = Customer.objects.only("name", "phone_store", "phone_index", "id_number_store")
    customers = {c.name: c for c in at_0017}
    assert customers["客户3"].phone == "13800000003"
    assert customers["客户1"].id_number == ID_NUMBER
    assert Contact.objects.get().phone == "13911112222"
    assert list(at_0017.filter(sensitive.phone_lookup("13800000005"))) == [customers["客户5"]]
    found = search.matching_ids(search.parse("00004"), before=None, limit=10)
    assert found == [customers["客户4"].pk]
    assert search.matching_ids(search.parse("1111"), before=None, limit=10) == [first.pk]
    # the migrations after it (unapplied on the way back to 0016) run again for later tests
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_bank_details_through_the_api_and_the_web_form(org, call, as_user):
    from django.urls import reverse

    body = {"name": "钱七", "bank_name": "招商银行", "bank_account": "6225 8801 2345 6789"}
    created = call(org.rep_a, "POST", "customers", body)
    assert created.status_code == 201, created.content
    data = created.json()
    # bank details are secret (密级): the rep who typed them sees them masked from then on
    assert (data["bank_name"], data["bank_account"]) == ("***", "6225********6789")
    whole = call(org.data_admin, "GET", f"customers/{data['id']}").json()
    assert (whole["bank_name"], whole["bank_account"]) == ("招商银行", "6225880123456789")
    assert raw("customers_customer", "bank_account", data["id"])[0].startswith("k1:")
    refused = call(org.rep_a, "POST", "customers", {"name": "孙八", "bank_account": "12ab"})
    assert refused.status_code == 422
    assert "bank_account" in refused.content.decode()

    page = as_user(org.rep_a).get(reverse("web:customer_edit", args=[data["id"]])).content
    assert "开户银行" in page.decode()
    assert "6225880123456789" not in page.decode()
    client = as_user(org.data_admin)
    page = client.get(reverse("web:customer_edit", args=[data["id"]])).content.decode()
    assert "6225880123456789" in page
    detail = client.get(reverse("web:customer_detail", args=[data["id"]])).content.decode()
    assert "银行账号" in detail
    assert "6225880123456789" in detail


def test_a_reader_whose_clearance_hides_phones_finds_nobody_by_a_fragment(org, person):
    """密级: when the data administrator raises phones above the reps' clearance, a rep's
    fragment search stops telling which numbers hold the digits; the data administrator's
    still works."""
    from crm.governance import services as governance
    from crm.governance.confidentiality import Level

    assert names(org.rep_a, "5678") == ["张三"]
    governance.confidentiality_update(
        actor=org.data_admin, levels={"phone": int(Level.SECRET)}, clearances={}
    )
    rep = type(org.rep_a).objects.get(pk=org.rep_a.pk)  # a new request: a new masker
    assert names(rep, "5678") == []
    assert names(org.data_admin, "5678") == ["张三"]


def test_every_ciphertext_column_of_every_app_is_declared_for_rotation():
    """A model's ``*_store`` field holds ciphertext: the model must name it in
    ``encrypted_fields``, or a rotation would leave it under a key about to be retired."""
    from django.apps import apps

    declared = {(t, c) for t, c, _p in sensitive.encrypted_columns()}
    stored = {
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith("_store")
    }
    assert stored == declared
    assert ("service_complaint", "phone") in declared


def test_rotation_reencrypts_contacts_and_complaint_phones_too(org):
    from crm.service import services as service
    from crm.service.models import Complaint

    customer = make_customer(org.rep_a, name="星河机械", phone=PHONE)
    services.contact_create(
        actor=org.rep_a, customer_id=customer.pk, data={"name": "李工", "phone": "13900001111"}
    )
    complaint = service.complaint_register(
        actor=org.service_staff,
        data={
            "complainant": "王总",
            "phone": "13922223333",
            "channel": "hotline",
            "category": "product",
            "severity": "normal",
            "description": "主轴异响",
        },
    )
    old = _current()
    with override_settings(
        CRM_ENCRYPTION_KEY=_ring(index=old["index"], k2=crypto.new_secret(), k1=old["k1"])
    ):
        totals = keys.rotate()
        assert totals["customers_contact.phone"] == 1
        assert totals["service_complaint.phone"] == 1
        assert raw("service_complaint", "phone", complaint.pk)[0].startswith("k2:")
        assert keys.keys_in_use() == {"k2"}
        stored = Complaint.objects.get(pk=complaint.pk)
        assert sensitive.read_phone(stored) == "13922223333"
