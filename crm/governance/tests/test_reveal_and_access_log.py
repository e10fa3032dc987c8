"""Revealing a masked field is an explicit, logged action for those allowed to; the data
administrator sets the levels; the access log (查阅登记) shows who viewed, revealed or exported
which customers, filtered, and exports it (the export logged too)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.core.errors import Invalid, NotFound, PermissionDenied
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance import services
from crm.governance.confidentiality import Clearance, Level
from crm.governance.masking import masker_for
from crm.governance.models import AuditEvent

ID = "11010519491231002X"


@pytest.fixture
def customer(org: Any) -> Customer:
    return make_customer(org.rep_a, name="星河贸易", phone="13912345678", id_number=ID)


# --- reveal ----------------------------------------------------------------------------------


def test_the_manager_reveals_an_id_number_on_the_detail_page_and_it_is_logged(
    org, customer, as_user
):
    client = as_user(org.manager)
    page = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert "1101**********002X" in page
    assert ID not in page
    url = reverse("web:customer_reveal", args=[customer.pk, "id_number"])
    assert url in page  # the reveal button

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert ID in response.content.decode()
    event = AuditEvent.objects.get(verb="customer.field_revealed")
    assert (event.actor, event.object_id, event.details) == (
        org.manager,
        str(customer.pk),
        {"field": "id_number"},
    )


def test_the_api_reveals_and_logs(org, customer, call):
    response = call(org.gm, "POST", f"customers/{customer.pk}/reveal", {"field": "id_number"})
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": ID}
    assert AuditEvent.objects.filter(verb="customer.field_revealed", actor=org.gm).count() == 1


def test_a_rep_has_no_reveal_button_and_is_refused(org, customer, as_user, call):
    page = as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk]))
    assert "1101**********002X" in page.content.decode()
    assert "/reveal/" not in page.content.decode()
    url = reverse("web:customer_reveal", args=[customer.pk, "id_number"])
    assert as_user(org.rep_a).post(url).status_code == 403
    response = call(org.rep_a, "POST", f"customers/{customer.pk}/reveal", {"field": "id_number"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(verb="customer.field_revealed").exists()


def test_reveal_outside_the_scope_or_of_an_unknown_field_is_refused(org, customer):
    with pytest.raises(NotFound):  # another department's manager
        services.reveal_field(actor=org.manager2, customer_id=customer.pk, field="id_number")
    with pytest.raises(Invalid):
        services.reveal_field(actor=org.manager, customer_id=customer.pk, field="version")
    with pytest.raises(PermissionDenied):
        services.reveal_field(actor=org.receptionist, customer_id=customer.pk, field="phone")
    assert not AuditEvent.objects.filter(verb="customer.field_revealed").exists()


# --- settings --------------------------------------------------------------------------------


def test_the_data_administrator_sets_levels_and_clearances_on_the_settings_page(
    org, customer, as_user
):
    client = as_user(org.data_admin)
    url = reverse("web:confidentiality_settings")
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["group_phone"] = Level.SECRET  # phones become secret
    data["level_rep"] = Level.PUBLIC

    response = client.post(url, data)

    assert response.status_code == 302
    assert masker_for(org.manager).show(customer).phone == "139****5678"
    rep = masker_for(org.rep_a).show(customer)
    assert (rep.name, rep.phone) == ("星河贸易", "139****5678")
    event = AuditEvent.objects.get(verb="confidentiality.updated")
    assert event.changes["group.phone"] == [2, 3]


def test_only_the_data_administrator_sets_levels(org):
    with pytest.raises(PermissionDenied):
        services.confidentiality_update(actor=org.gm, levels={"phone": 0}, clearances={})
    with pytest.raises(PermissionDenied):
        services.confidentiality_update(actor=org.sysadmin, levels={"phone": 0}, clearances={})
    with pytest.raises(Invalid):
        services.confidentiality_update(
            actor=org.data_admin, levels={}, clearances={"rep": Clearance(Level.SECRET, "x")}
        )


def test_a_name_raised_above_public_is_masked_to_its_first_character(org, customer):
    services.confidentiality_update(actor=org.data_admin, levels={"name": 1}, clearances={})
    assert masker_for(org.receptionist).show(customer).name == "星**"
    assert masker_for(org.rep_a).show(customer).name == "星河贸易"


# --- the access log ----------------------------------------------------------------------------


@pytest.fixture
def accesses(org, customer, as_user, call):
    """rep_a opens the customer, the manager reveals its ID number, the GM lists customers."""
    other = make_customer(org.rep_b, name='=HYPERLINK("http://x")')
    as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk]))
    as_user(org.rep_b).get(reverse("web:customer_detail", args=[other.pk]))
    services.reveal_field(actor=org.manager, customer_id=customer.pk, field="id_number")
    call(org.gm, "GET", "customers")
    return other


def _rows(client: Any, **params: Any) -> list[Any]:
    response = client.get(reverse("web:access_log"), params)
    assert response.status_code == 200
    return [(r.event.actor_name, r.event.verb, r.customer_id) for r in response.context["rows"]]


def test_the_access_log_filters_by_person_customer_kind_and_dates(org, customer, accesses, as_user):
    client = as_user(org.data_admin)
    everything = _rows(client)
    assert ("王小明", "customer.viewed", customer.pk) in everything
    assert ("陈经理", "customer.field_revealed", customer.pk) in everything
    assert ("钱总", "customer.listed", None) in everything
    assert not any(verb == "customer.created" for _n, verb, _c in everything)  # not an access

    assert {v for _n, v, _c in _rows(client, kind="revealed")} == {"customer.field_revealed"}
    assert {n for n, _v, _c in _rows(client, actor=org.rep_a.pk)} == {"王小明"}
    assert {c for _n, _v, c in _rows(client, customer=customer.pk)} == {customer.pk}
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert _rows(client, since=tomorrow.isoformat()) == []
    assert _rows(client, until=timezone.localdate().isoformat())


def test_the_access_log_api_filters_by_kind(org, customer, accesses, call):
    response = call(org.data_admin, "GET", f"access-log?kind=revealed&customer={customer.pk}")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["actor"], i["details"]) for i in items] == [("陈经理", {"field": "id_number"})]


def test_the_access_log_export_is_formula_safe_and_logged(org, customer, accesses, as_user):
    client = as_user(org.data_admin)
    response = client.get(reverse("web:access_log_export"), {"kind": "viewed"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    names = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert names
    assert all(c.data_type == "s" for c in names)  # text, never a formula
    assert any("星河贸易" in str(c.value) for c in cells)
    assert not any("field_revealed" in str(c.value) for c in cells)  # only views were asked
    exported = AuditEvent.objects.get(verb="access_log.exported")
    assert exported.actor == org.data_admin
    assert exported.details["filter"] == {"kind": "viewed"}
    # and the export shows in the log as an export
    assert {v for _n, v, _c in _rows(client, kind="exported")} == {"access_log.exported"}


def test_the_access_log_is_refused_to_a_rep(org, as_user, call):
    assert as_user(org.rep_a).get(reverse("web:access_log")).status_code == 403
    assert as_user(org.rep_a).get(reverse("web:access_log_export")).status_code == 403
    assert call(org.rep_a, "GET", "access-log").status_code == 403


def test_the_shipped_roles_hold_the_confidentiality_actions_as_declared(org):
    from crm.accounts.models import Role
    from crm.accounts.roles import CONFIDENTIALITY_GRANTS, DEFAULT_GRANTS

    for code, grants in CONFIDENTIALITY_GRANTS.items():
        role = Role.objects.get(code=code, builtin=True)
        assert {a: role.grants.get(a) for a in grants} == grants  # the migration's
        assert {a: DEFAULT_GRANTS[code][a] for a in grants} == grants  # a new company's
    # system administration and the front desk reveal nothing
    for code in ("sysadmin", "receptionist", "rep", "service"):
        assert "governance.reveal_field" not in Role.objects.get(code=code).grants


def test_the_edit_form_shows_a_secret_field_masked_and_keeps_it(org, customer, as_user):
    client = as_user(org.rep_a)
    url = reverse("web:customer_edit", args=[customer.pk])
    page = client.get(url)
    body = page.content.decode()
    assert ID not in body
    assert "1101**********002X" in body
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    # an everyday field (master data would go through a change request) beside the masked one
    data.update({"needs": "想换七座", "id_number": "1101**********002X"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert (customer.needs, customer.id_number) == ("想换七座", ID)
