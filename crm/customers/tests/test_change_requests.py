"""客户数据变更申请: once registered, a customer's master data changes only through the
data-management department. A rep's change is a request with its reason, applied exactly as asked
when approved (or failed if the customer changed since), rejected with a reason otherwise; the
data administrator edits directly. The same rule holds in the service, the API and the web."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.activities.models import Notification
from crm.core.errors import Invalid, StateConflict
from crm.customers import services
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance import approvals
from crm.governance.models import ApprovalRequest, ApprovalState, AuditEvent

OLD, NEW = "13811112222", "13933334444"


@pytest.fixture
def wang(org):
    return make_customer(org.rep_a, name="王先生", phone=OLD, city="北京")


def edit(actor, customer, reason="", **data):
    customer.refresh_from_db()
    return services.customer_edit(
        actor=actor, customer_id=customer.pk, version=customer.version, data=data, reason=reason
    )


def test_a_reps_phone_change_waits_for_the_data_administrator(org, wang):
    saved, request = edit(org.rep_a, wang, reason="客户换号", phone=NEW, needs="想换七座")
    # the everyday part is saved at once; the phone waits
    assert (saved.phone, saved.needs) == (OLD, "想换七座")
    assert Customer.objects.get(pk=wang.pk).phone == OLD
    assert isinstance(request, ApprovalRequest)
    assert services.change_request_values(request) == ({"phone": NEW}, {"phone": OLD})
    # the request keeps the phones encrypted like the customer's own column (ADR 0009)
    stored = str(request.payload) + str(AuditEvent.objects.filter(verb__startswith="approval"))
    assert NEW not in stored
    assert OLD not in stored
    assert NEW not in str(list(AuditEvent.objects.values_list("changes", "details")))
    assert request.reason == "客户换号"
    assert services.pending_changes(wang) == [request]
    waiting = Notification.objects.filter(kind="approval_waiting")
    assert [n.user for n in waiting] == [org.data_admin]
    assert approvals.approvals_to_decide(actor=org.data_admin) == [request]
    assert approvals.approvals_to_decide(actor=org.manager) == []

    decided = approvals.approval_decide(
        actor=org.data_admin, request_id=request.pk, approve=True, note="已核实"
    )
    assert decided.state == ApprovalState.APPROVED
    assert Customer.objects.get(pk=wang.pk).phone == NEW
    applied = AuditEvent.objects.filter(verb="customer.updated", object_id=str(wang.pk)).latest(
        "id"
    )
    assert applied.actor == org.data_admin
    assert applied.reason == "客户换号"
    assert applied.details["change_request"] == request.pk
    told = Notification.objects.get(kind="approval_decided")
    assert told.user == org.rep_a
    assert services.pending_changes(wang) == []


def test_a_change_request_needs_a_reason(org, wang):
    with pytest.raises(Invalid) as refused:
        edit(org.rep_a, wang, phone=NEW)
    assert "change_reason" in refused.value.fields
    assert not ApprovalRequest.objects.exists()


def test_one_request_per_field_at_a_time(org, wang):
    edit(org.rep_a, wang, reason="换号", phone=NEW)
    with pytest.raises(StateConflict) as refused:
        edit(org.rep_a, wang, reason="又换号", phone="13955556666")
    assert "phone" in refused.value.fields
    # another field may be requested meanwhile
    _, renamed = edit(org.rep_a, wang, reason="登记错字", name="汪先生")
    assert renamed is not None
    assert renamed.payload["changes"] == {"name": "汪先生"}


def test_a_customer_changed_since_fails_the_request(org, wang):
    _, request = edit(org.rep_a, wang, reason="换号", phone=NEW)
    edit(org.rep_a, wang, city="上海")  # any later save: the request was made on older data
    decided = approvals.approval_decide(actor=org.data_admin, request_id=request.pk, approve=True)
    assert decided.state == ApprovalState.FAILED
    assert "已被修改" in decided.decision_note
    wang.refresh_from_db()
    assert (wang.phone, wang.city) == (OLD, "上海")


def test_a_rejected_request_changes_nothing(org, wang):
    _, request = edit(org.rep_a, wang, reason="换号", phone=NEW)
    approvals.approval_decide(
        actor=org.data_admin, request_id=request.pk, approve=False, note="号码无法核实"
    )
    assert Customer.objects.get(pk=wang.pk).phone == OLD
    told = Notification.objects.get(kind="approval_decided")
    assert (told.user, told.body) == (org.rep_a, "号码无法核实")


def test_the_data_administrator_edits_directly_and_it_is_audited(org, wang):
    saved, request = edit(org.data_admin, wang, phone=NEW, name="汪先生")
    assert request is None
    assert (saved.phone, saved.name) == (NEW, "汪先生")
    event = AuditEvent.objects.filter(verb="customer.updated").latest("id")
    assert (event.actor, event.changes["phone"]) == (org.data_admin, [OLD, NEW])


def test_a_manager_renames_through_a_request_but_assigns_directly(org, wang):
    _, request = edit(org.manager, wang, reason="更正", name="汪先生")
    assert request is not None
    saved, none = edit(org.manager, wang, owner=org.rep_b.pk)
    assert none is None
    assert saved.owner == org.rep_b


def test_a_requested_duplicate_is_refused_at_once(org, wang):
    make_customer(org.rep_b, name="李先生", phone=NEW)
    from crm.core.errors import Duplicate

    with pytest.raises(Duplicate):
        edit(org.rep_a, wang, reason="换号", phone=NEW)


# --- the API ----------------------------------------------------------------------------------


def test_the_api_answers_202_with_the_request_and_applies_it_on_approval(org, wang, call):
    response = call(
        org.rep_a,
        "PATCH",
        f"customers/{wang.pk}",
        {"version": wang.version, "phone": NEW, "city": "天津", "change_reason": "客户换号"},
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["customer"]["city"] == "天津"
    assert body["customer"]["phone"] == OLD
    pending = body["pending"]
    assert (pending["kind"], pending["changes"], pending["reason"]) == (
        "customers.change",
        {"phone": NEW},
        "客户换号",
    )
    assert [s["state"] for s in pending["steps"]] == ["pending"]

    again = call(
        org.rep_a,
        "PATCH",
        f"customers/{wang.pk}",
        {"version": body["customer"]["version"], "phone": "13900000000", "change_reason": "x"},
    )
    assert again.status_code == 409

    inbox = call(org.data_admin, "GET", "approvals").json()["to_decide"]
    assert [r["id"] for r in inbox] == [pending["id"]]
    assert call(org.rep_a, "GET", f"approvals/{pending['id']}").status_code == 200
    assert call(org.rep_b, "GET", f"approvals/{pending['id']}").status_code == 404
    own = call(org.rep_a, "POST", f"approvals/{pending['id']}/decide", {"approve": True})
    assert own.status_code == 403
    decided = call(
        org.data_admin, "POST", f"approvals/{pending['id']}/decide", {"approve": True, "note": "好"}
    )
    assert decided.status_code == 200
    assert decided.json()["state"] == "approved"
    assert decided.json()["steps"][0]["decided_by"] == org.data_admin.display_name
    assert call(org.rep_a, "GET", f"customers/{wang.pk}").json()["phone"] == NEW


def test_the_api_without_a_reason_is_422(org, wang, call):
    response = call(org.rep_a, "PATCH", f"customers/{wang.pk}", {"version": 1, "phone": NEW})
    assert response.status_code == 422
    assert "change_reason" in response.json()["error"]["fields"]


# --- the web ----------------------------------------------------------------------------------


def _form(customer, **changes):
    customer.refresh_from_db()
    data = {
        "version": customer.version,
        "kind": customer.kind,
        "name": customer.name,
        "phone": customer.phone,
        "city": customer.city,
        "owner": customer.owner_id,
    }
    data.update(changes)
    return data


def test_the_web_form_files_the_request_and_the_page_shows_it(org, wang, as_user):
    client = as_user(org.rep_a)
    page = client.get(reverse("web:customer_edit", args=[wang.pk])).content.decode()
    assert 'name="change_reason"' in page
    missing = client.post(reverse("web:customer_edit", args=[wang.pk]), _form(wang, phone=NEW))
    assert missing.status_code == 422
    assert "请填写变更原因" in missing.content.decode()
    response = client.post(
        reverse("web:customer_edit", args=[wang.pk]),
        _form(wang, phone=NEW, change_reason="客户换号"),
        follow=True,
    )
    body = response.content.decode()
    assert "已提交变更申请" in body
    assert "变更申请审批中" in body
    assert Customer.objects.get(pk=wang.pk).phone == OLD
    # a second request of the phone is refused on the form
    again = client.post(
        reverse("web:customer_edit", args=[wang.pk]),
        _form(wang, phone="13900000000", change_reason="又换"),
    )
    assert again.status_code in (409, 422)
    assert "已有待审批的变更申请" in again.content.decode()

    admin = as_user(org.data_admin)
    inbox = admin.get(reverse("web:approval_list")).content.decode()
    assert NEW in inbox
    assert "客户换号" in inbox
    (request,) = services.pending_changes(wang)
    admin.post(reverse("web:approval_decide", args=[request.pk]), {"decision": "approve"})
    assert Customer.objects.get(pk=wang.pk).phone == NEW
    detail = admin.get(reverse("web:customer_detail", args=[wang.pk])).content.decode()
    assert "变更申请审批中" not in detail


def test_the_data_administrators_form_has_no_reason_and_saves_directly(org, wang, as_user):
    client = as_user(org.data_admin)
    page = client.get(reverse("web:customer_edit", args=[wang.pk])).content.decode()
    assert 'name="change_reason"' not in page
    client.post(reverse("web:customer_edit", args=[wang.pk]), _form(wang, phone=NEW))
    assert Customer.objects.get(pk=wang.pk).phone == NEW
