"""角色与权限 and 审批 pages: the system administrator edits roles per action and scope; granting
what reads others' customer data waits for the general manager, who confirms on the 审批 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.accounts.roles import ACTIONS, EXPORT_REPORTS, VIEW_CUSTOMER
from crm.governance.models import ApprovalRequest, ApprovalState

ROLE_PAGES = ["web:role_list"]
# persona → status of the role settings and the approvals page
ACCESS = {
    "rep_a": (403, 200),
    "manager": (403, 200),
    "data_admin": (403, 200),
    "gm": (403, 200),
    "sysadmin": (200, 200),
    "director": (403, 200),
    "receptionist": (403, 200),
    "service_staff": (403, 200),
}


def role_post(role: Role, **changes: str) -> dict[str, str]:
    """The role form as the page posts it, with ``changes`` by action code."""
    data = {"name": role.name, "description": role.description, "version": str(role.version)}
    for action in ACTIONS:  # every select of the page is sent
        data[f"grant:{action.code}"] = {**role.grants, **changes}.get(action.code, "none")
    return data


@pytest.mark.parametrize(("persona", "statuses"), ACCESS.items())
def test_who_opens_the_role_and_approval_pages(as_user, org, persona, statuses):
    client = as_user(getattr(org, persona))
    roles = client.get(reverse("web:role_list"))
    edit = client.get(reverse("web:role_edit", args=["rep"]))
    approvals = client.get(reverse("web:approval_list"))
    assert (roles.status_code, approvals.status_code) == statuses
    assert edit.status_code == statuses[0]


def test_anonymous_goes_to_login(client, org):
    for name, args in (
        ("web:role_list", []),
        ("web:role_edit", ["rep"]),
        ("web:approval_list", []),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_the_role_list_shows_each_role_with_its_scopes(as_user, org):
    body = as_user(org.sysadmin).get(reverse("web:role_list")).content.decode()
    for text in ("销售顾问", "前台/接待", "客服/售后", "销售总监", "查看客户资料", "本人", "全部"):
        assert text in body


def test_narrowing_a_role_on_the_page_applies_at_once(as_user, org):
    rep = Role.objects.get(pk="rep")
    client = as_user(org.sysadmin)
    response = client.post(
        reverse("web:role_edit", args=["rep"]), role_post(rep, **{EXPORT_REPORTS: "none"})
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert EXPORT_REPORTS not in rep.grants


def test_widening_a_role_on_the_page_asks_the_general_manager(as_user, org):
    rep = Role.objects.get(pk="rep")
    client = as_user(org.sysadmin)
    response = client.post(
        reverse("web:role_edit", args=["rep"]),
        role_post(rep, **{VIEW_CUSTOMER: "all"}),
        follow=True,
    )
    assert "需总经理确认" in response.content.decode()
    rep.refresh_from_db()
    assert rep.grants[VIEW_CUSTOMER] == "assigned"
    # the general manager sees it on the approvals page and approves
    gm = as_user(org.gm)
    request = ApprovalRequest.objects.get()
    assert request.title in gm.get(reverse("web:approval_list")).content.decode()
    gm.post(reverse("web:approval_decide", args=[request.pk]), {"decision": "approve"})
    rep.refresh_from_db()
    assert rep.grants[VIEW_CUSTOMER] == "all"


def test_a_stale_role_form_is_sent_back_and_keeps_what_was_chosen(as_user, org):
    rep = Role.objects.get(pk="rep")
    stale = role_post(rep, **{EXPORT_REPORTS: "none"})
    Role.objects.filter(pk="rep").update(version=rep.version + 1)
    response = as_user(org.sysadmin).post(reverse("web:role_edit", args=["rep"]), stale)
    assert response.status_code == 422
    body = response.content.decode()
    assert "已被他人修改" in body
    rep.refresh_from_db()
    assert rep.grants[EXPORT_REPORTS] == "own"


def test_a_new_role_copies_another_and_opens_for_editing(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:role_list"), {"code": "trainee", "name": "实习顾问", "copy_from": "rep"}
    )
    assert response["Location"] == reverse("web:role_edit", args=["trainee"])
    assert Role.objects.get(pk="trainee").grants == Role.objects.get(pk="rep").grants


def test_a_bad_role_code_is_refused_with_the_form_kept(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:role_list"), {"code": "实习", "name": "实习顾问", "copy_from": ""}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "代码只能包含英文字母" in body
    assert 'value="实习顾问"' in body


def test_changing_a_users_role_to_one_that_reads_the_department_waits(as_user, org):
    client = as_user(org.sysadmin)
    response = client.post(
        reverse("web:user_role", args=[org.rep_a.pk]), {"role": "manager"}, follow=True
    )
    body = response.content.decode()
    assert "已提交总经理确认" in body
    assert "待总经理确认：销售经理" in body
    org.rep_a.refresh_from_db()
    assert org.rep_a.role_id == "rep"
    request = ApprovalRequest.objects.get()
    # the requester cannot decide it, the general manager can
    as_user(org.sysadmin).post(
        reverse("web:approval_decide", args=[request.pk]), {"decision": "approve"}
    )
    request.refresh_from_db()
    assert request.state == ApprovalState.PENDING
    as_user(org.gm).post(
        reverse("web:approval_decide", args=[request.pk]), {"decision": "reject", "note": "暂不"}
    )
    request.refresh_from_db()
    assert (request.state, request.decision_note) == (ApprovalState.REJECTED, "暂不")
    mine = as_user(org.sysadmin).get(reverse("web:approval_list")).content.decode()
    assert "已驳回" in mine
    assert "暂不" in mine


def test_a_role_that_reads_nothing_of_others_is_changed_at_once(as_user, org):
    as_user(org.sysadmin).post(reverse("web:user_role", args=[org.manager.pk]), {"role": "rep"})
    org.manager.refresh_from_db()
    assert org.manager.role_id == "rep"


def test_the_pages_speak_english(as_user, org):
    client = as_user(org.sysadmin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("web:role_list")).content.decode()
    for text in ("Roles and permissions", "Sales representative", "View customer records"):
        assert text in body
