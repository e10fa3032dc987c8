"""Access policies: each (role, action) has its own scope; roles are data the system administrator
edits; granting what reads others' customer data needs the general manager (separation of
duties, 客户数据管理规定: 系统管理与业务数据分离)."""

from __future__ import annotations

import pytest

from crm.accounts import selectors as account_selectors
from crm.accounts import services as accounts
from crm.accounts.models import Role, User
from crm.accounts.roles import (
    EXPORT_REPORTS,
    VIEW_CUSTOMER,
    VIEW_REPORTS,
)
from crm.activities import services as activities
from crm.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from crm.core.permissions import Scope, allows, restrict, scope_of
from crm.customers import selectors as customer_selectors
from crm.customers import services as customers
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance import approvals
from crm.governance.models import ApprovalState, AuditEvent
from crm.reports import selectors as reports
from crm.reports import services as report_services


def grants_of(code: str) -> dict[str, str]:
    return dict(Role.objects.get(pk=code).grants)


# --- one scope per action ---------------------------------------------------------------------


def test_the_front_desk_registers_and_assigns_but_reads_no_customer_file(org):
    # when the receptionist of 销售一部 registers a walk-in for rep_a
    c = customers.customer_create(
        actor=org.receptionist,
        data={"name": "来店客户", "phone": "13800000001", "owner": org.rep_a.pk},
    )
    # then the customer is rep_a's, and the receptionist cannot open the file
    assert (c.owner, c.department) == (org.rep_a, org.sales1)
    with pytest.raises(NotFound):
        customer_selectors.customer_get(actor=org.receptionist, customer_id=c.pk)
    assert not restrict(Customer.objects.all(), org.receptionist, VIEW_CUSTOMER).exists()


def test_the_front_desk_assigns_only_within_its_showroom(org):
    with pytest.raises(Invalid) as err:
        customers.customer_create(
            actor=org.receptionist, data={"name": "来店客户", "owner": org.rep_c.pk}
        )
    assert "owner" in err.value.fields
    assert list(customer_selectors.assignable_owners(actor=org.receptionist)) == [
        org.rep_a,
        org.rep_b,
        org.manager,
    ]


def test_the_front_desk_must_name_the_rep(org):
    with pytest.raises(Invalid) as err:
        customers.customer_create(actor=org.receptionist, data={"name": "来店客户"})
    assert err.value.fields["owner"] == "请选择负责人"


def test_service_staff_read_every_customer_and_record_callbacks_but_change_nothing(org):
    c = make_customer(org.rep_c, name="保有客户")
    assert customer_selectors.customer_get(actor=org.service_staff, customer_id=c.pk) == c
    followup = activities.followup_record(
        actor=org.service_staff,
        customer_id=c.pk,
        data={"kind": "callback", "satisfaction": 5, "content": "回访满意"},
    )
    assert followup.staff == org.service_staff
    with pytest.raises(PermissionDenied):
        customers.customer_update(
            actor=org.service_staff, customer_id=c.pk, version=c.version, data={"city": "杭州"}
        )


def test_the_sales_director_sees_every_department_under_the_head_office(org):
    make_customer(org.rep_a, name="甲")
    make_customer(org.rep_c, name="丙")
    seen = restrict(Customer.objects.all(), org.director, VIEW_CUSTOMER)
    assert sorted(c.name for c in seen) == ["丙", "甲"]


def test_a_role_may_read_a_department_but_export_only_its_own(org):
    # given managers who read the department's reports but export only their own rows
    manager = Role.objects.get(pk="manager")
    accounts.role_update(
        actor=org.sysadmin,
        code="manager",
        version=manager.version,
        name=manager.name,
        description=manager.description,
        grants={**manager.grants, EXPORT_REPORTS: Scope.OWN},
    )
    org.manager.refresh_from_db()
    make_customer(org.rep_a, name="甲")
    # then the page shows the reps, the export only the manager
    shown = reports.daily_report(actor=org.manager)
    assert [r.name for r in shown.rows] == ["王小明", "李小红"]
    exported = reports.daily_report(actor=org.manager, action=EXPORT_REPORTS)
    assert [r.name for r in exported.rows] == ["陈经理"]
    assert scope_of(org.manager, VIEW_REPORTS) == Scope.DEPARTMENT
    report_services.report_export(actor=org.manager, report="daily")  # allowed, own rows


def test_a_deactivated_user_holds_no_action(org):
    accounts.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=False)
    org.rep_a.refresh_from_db()
    assert org.rep_a.grants == {}
    assert scope_of(org.rep_a, VIEW_CUSTOMER) == Scope.NONE


def test_an_action_is_checked_against_the_record(org):
    c = make_customer(org.rep_a, name="甲")
    assert allows(org.rep_a, VIEW_CUSTOMER, c)
    assert not allows(org.rep_b, VIEW_CUSTOMER, c)
    assert allows(org.manager, VIEW_CUSTOMER, c)
    assert not allows(org.manager2, VIEW_CUSTOMER, c)
    assert not allows(org.sysadmin, VIEW_CUSTOMER, c)


# --- roles as data ----------------------------------------------------------------------------


def test_narrowing_a_role_applies_at_once_and_is_audited(org):
    rep = Role.objects.get(pk="rep")
    grants = {k: v for k, v in rep.grants.items() if k != EXPORT_REPORTS}
    _role, pending = accounts.role_update(
        actor=org.sysadmin,
        code="rep",
        version=rep.version,
        name=rep.name,
        description=rep.description,
        grants=grants,
    )
    assert pending is None
    assert EXPORT_REPORTS not in grants_of("rep")
    org.rep_a.refresh_from_db()
    with pytest.raises(PermissionDenied):
        report_services.report_export(actor=org.rep_a, report="daily")
    event = AuditEvent.objects.filter(verb="role.changed").get()
    assert event.actor == org.sysadmin
    assert event.changes["grants"][0][EXPORT_REPORTS] == "own"
    assert EXPORT_REPORTS not in event.changes["grants"][1]


def test_a_stale_role_edit_is_a_conflict(org):
    rep = Role.objects.get(pk="rep")
    args = {"actor": org.sysadmin, "code": "rep", "name": rep.name, "description": ""}
    accounts.role_update(version=rep.version, grants=rep.grants, **{**args, "name": "顾问"})
    with pytest.raises(Conflict):
        accounts.role_update(version=rep.version, grants={}, **args)
    assert grants_of("rep") == rep.grants


def test_unknown_actions_and_scopes_are_refused(org):
    rep = Role.objects.get(pk="rep")
    with pytest.raises(Invalid) as err:
        accounts.role_update(
            actor=org.sysadmin,
            code="rep",
            version=rep.version,
            name=rep.name,
            description="",
            grants={
                "customers.fly": "all",
                VIEW_CUSTOMER: "galaxy",
                "accounts.manage_users": "own",
            },
        )
    assert set(err.value.fields) == {
        "grants.customers.fly",
        f"grants.{VIEW_CUSTOMER}",
        "grants.accounts.manage_users",  # an on/off action has no "own"
    }


def test_nobody_can_take_away_the_last_way_to_manage_roles(org):
    admin = Role.objects.get(pk="sysadmin")
    with pytest.raises(Invalid):
        accounts.role_update(
            actor=org.sysadmin,
            code="sysadmin",
            version=admin.version,
            name=admin.name,
            description="",
            grants={"accounts.manage_users": "all"},
        )
    assert grants_of("sysadmin") == admin.grants


def test_a_new_role_and_its_removal(org):
    role = accounts.role_create(
        actor=org.sysadmin, code="trainee", name="实习顾问", grants={VIEW_CUSTOMER: "own"}
    )
    assert role.grants == {VIEW_CUSTOMER: "own"}
    assert "实习顾问" in [r.name for r in account_selectors.role_list()]
    accounts.role_delete(actor=org.sysadmin, code="trainee")
    assert not Role.objects.filter(pk="trainee").exists()
    with pytest.raises(Invalid):
        accounts.role_delete(actor=org.sysadmin, code="rep")  # shipped, and in use
    assert [e.verb for e in AuditEvent.objects.order_by("id")][-2:] == [
        "role.created",
        "role.deleted",
    ]


def test_only_the_role_administrator_edits_roles(org):
    rep = Role.objects.get(pk="rep")
    with pytest.raises(PermissionDenied):
        accounts.role_update(
            actor=org.gm, code="rep", version=rep.version, name="x", description="", grants={}
        )


# --- separation of duties ---------------------------------------------------------------------


def test_the_sysadmin_cannot_hand_out_the_general_managers_eyes(org):
    # when the system administrator creates a general manager account
    boss = accounts.user_create(
        actor=org.sysadmin,
        username="boss2",
        password="pass-1234",
        role="gm",
        department=org.head_office,
        validate_password=False,
    )
    # then it has no role until the general manager confirms, and reads no customer
    assert boss.role is None
    make_customer(org.rep_a, name="甲", phone="13812345678")
    assert not restrict(Customer.objects.all(), boss, VIEW_CUSTOMER).exists()
    (request,) = approvals.approvals_to_decide(actor=org.gm)
    assert request.payload == {"user": boss.pk, "role": "gm"}
    assert approvals.approvals_to_decide(actor=org.sysadmin) == []
    with pytest.raises(PermissionDenied):
        approvals.approval_decide(actor=org.sysadmin, request_id=request.pk, approve=True)
    # when the general manager confirms, the role takes effect
    approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True, note="同意")
    boss.refresh_from_db()
    assert boss.role_id == "gm"
    assert restrict(Customer.objects.all(), boss, VIEW_CUSTOMER).count() == 1
    trail = [
        (e.verb, e.actor)
        for e in AuditEvent.objects.filter(verb__startswith="approval.")
        | AuditEvent.objects.filter(verb="user.role_changed")
    ]
    assert sorted(trail, key=lambda t: t[0]) == [
        ("approval.decided", org.gm),
        ("approval.step_decided", org.gm),
        ("approval.submitted", org.sysadmin),
        ("user.role_changed", org.gm),
    ]


def test_the_sysadmin_cannot_give_themselves_customer_data(org):
    pending = accounts.user_set_role(actor=org.sysadmin, user_id=org.sysadmin.pk, role="data_admin")
    assert pending is not None
    assert pending.state == ApprovalState.PENDING
    org.sysadmin.refresh_from_db()
    assert org.sysadmin.role_id == "sysadmin"


def test_a_rejected_grant_changes_nothing(org):
    pending = accounts.user_set_role(actor=org.sysadmin, user_id=org.rep_a.pk, role="manager")
    assert pending is not None
    approvals.approval_decide(actor=org.gm, request_id=pending.pk, approve=False, note="不同意")
    org.rep_a.refresh_from_db()
    assert org.rep_a.role_id == "rep"
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by, pending.decision_note) == (
        ApprovalState.REJECTED,
        org.gm,
        "不同意",
    )
    with pytest.raises(Invalid):  # decided once
        approvals.approval_decide(actor=org.gm, request_id=pending.pk, approve=True)


def test_roles_that_read_only_ones_own_need_no_confirmation(org):
    # a new rep sees nothing the company has not handed them
    rep = accounts.user_create(
        actor=org.sysadmin,
        username="newrep",
        password="pass-1234",
        role="rep",
        department=org.sales1,
        validate_password=False,
    )
    assert rep.role_id == "rep"
    assert approvals.approvals_to_decide(actor=org.gm) == []


def test_widening_a_role_with_members_waits_for_the_general_manager(org):
    rep = Role.objects.get(pk="rep")
    wider = {**rep.grants, VIEW_CUSTOMER: Scope.ALL}
    _role, pending = accounts.role_update(
        actor=org.sysadmin,
        code="rep",
        version=rep.version,
        name=rep.name,
        description=rep.description,
        grants=wider,
    )
    assert pending is not None
    assert grants_of("rep")[VIEW_CUSTOMER] == Scope.ASSIGNED
    approvals.approval_decide(actor=org.gm, request_id=pending.pk, approve=True)
    assert grants_of("rep")[VIEW_CUSTOMER] == Scope.ALL


def test_an_approval_of_a_role_edited_since_fails_without_applying(org):
    rep = Role.objects.get(pk="rep")
    _, pending = accounts.role_update(
        actor=org.sysadmin,
        code="rep",
        version=rep.version,
        name=rep.name,
        description="",
        grants={**rep.grants, VIEW_CUSTOMER: Scope.ALL},
    )
    accounts.role_update(
        actor=org.sysadmin, code="rep", version=rep.version, name="顾问", description="", grants={}
    )
    assert pending is not None
    decided = approvals.approval_decide(actor=org.gm, request_id=pending.pk, approve=True)
    assert decided.state == ApprovalState.FAILED
    assert grants_of("rep") == {}


def test_nobody_decides_their_own_request(org):
    gm_role = Role.objects.get(pk="gm")
    accounts.role_update(
        actor=org.sysadmin,
        code="gm",
        version=gm_role.version,
        name=gm_role.name,
        description="",
        grants={**gm_role.grants, "accounts.manage_users": "all"},
    )
    org.gm.refresh_from_db()
    # a general manager who also manages users grants directly: they are the confirmation
    assert accounts.user_set_role(actor=org.gm, user_id=org.rep_b.pk, role="manager") is None
    org.rep_b.refresh_from_db()
    assert org.rep_b.role_id == "manager"


def test_a_missing_request_is_not_found(org):
    with pytest.raises(NotFound):
        approvals.approval_decide(actor=org.gm, request_id=999, approve=True)


def test_users_of_a_role_pick_up_its_change_on_their_next_request(org):
    rep = Role.objects.get(pk="rep")
    accounts.role_update(
        actor=org.sysadmin,
        code="rep",
        version=rep.version,
        name=rep.name,
        description="",
        grants={k: v for k, v in rep.grants.items() if k != VIEW_CUSTOMER},
    )
    fresh = User.objects.select_related("role").get(pk=org.rep_a.pk)
    assert scope_of(fresh, VIEW_CUSTOMER) == Scope.NONE
