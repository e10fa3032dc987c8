"""Roles and approvals over the API: the rules of crm/accounts/tests/test_policies.py."""

from __future__ import annotations

from crm.accounts.models import Role


def test_widening_a_role_answers_with_the_pending_request_and_the_role_unchanged(org, call):
    rep = call(org.sysadmin, "GET", "roles").json()
    current = next(r for r in rep if r["code"] == "rep")
    grants = {**current["grants"], "customers.view_customer": "all"}
    body = {"version": current["version"], "name": current["name"], "grants": grants}
    response = call(org.sysadmin, "PUT", "roles/rep", body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["role"]["grants"]["customers.view_customer"] == "assigned"
    assert answer["pending"]["state"] == "pending"
    # the general manager approves it
    waiting = call(org.gm, "GET", "approvals").json()["to_decide"]
    assert [w["id"] for w in waiting] == [answer["pending"]["id"]]
    decided = call(org.gm, "POST", f"approvals/{waiting[0]['id']}/decide", {"approve": True})
    assert decided.json()["state"] == "approved"
    assert Role.objects.get(pk="rep").grants["customers.view_customer"] == "all"


def test_an_unknown_action_or_scope_is_a_422_naming_it(org, call):
    response = call(
        org.sysadmin,
        "PUT",
        "roles/rep",
        {"version": 1, "name": "销售顾问", "grants": {"customers.fly": "all"}},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"grants.customers.fly": "未知的权限"}


def test_a_stale_version_is_a_conflict(org, call):
    response = call(org.sysadmin, "PUT", "roles/rep", {"version": 9, "name": "x", "grants": {}})
    assert response.status_code == 409
    assert response.json()["error"]["current_version"] == 1


def test_the_action_catalogue_says_which_actions_read_customer_data(org, call):
    actions = {a["code"]: a for a in call(org.sysadmin, "GET", "roles/actions").json()}
    assert actions["customers.view_customer"]["reads_customer_data"] is True
    assert actions["accounts.manage_users"]["scoped"] is False
    english = call(org.sysadmin, "GET", "roles/actions", lang="en").json()
    assert english[0]["label"] == "View customer records"
