"""The scope matrix of the web pages: every URL of the ``web`` namespace against every persona,
one request per cell, in one table (as crm/api/tests/test_scope_matrix.py is for the API). A
test per URL, a subtest per persona.

anonymous → the login page, and back to the URL after signing in; a role without the action →
403 (the system administrator has no customer actions); outside the action's data scope → 404
and nothing of the record; in scope → the page (200) or, for a form posted, its redirect (302).
The customer ``x`` belongs to rep_a in 销售一部: rep_b (same department, own records only), rep_c
and manager2 (销售二部) are outsiders; the manager of 销售一部, the sales director (head office,
above both sales departments), the data administrator and the general manager see it. The front
desk registers customers without reading any; service staff read every customer and record
follow-ups but change nothing and plan only what is assigned to them. A test fails when a URL of
the namespace is missing from the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from crm.accounts import selectors as accounts_selectors
from crm.accounts import services as accounts
from crm.accounts.models import ApiToken, Role, User
from crm.activities import services as activities
from crm.activities.models import FollowUp, Plan
from crm.customers import lifecycle, listviews, services, shares
from crm.customers.models import Customer, CustomerShare, Source
from crm.customers.tests.factories import make_customer
from crm.governance.models import ApprovalRequest, ApprovalState
from crm.handover import services as handover_services
from crm.pool import services as pool_services
from crm.pool.models import PoolEntry, PoolLock, ReturnRule
from crm.questionnaires import services as questionnaire_services
from crm.reception import services as reception
from crm.reception.models import Seat
from crm.referrals import services as referrals
from crm.referrals.models import ReferralCard, ReferralLink, Reward
from crm.referrals.tests.factories import rewarded
from crm.retrieval import services as retrieval_services
from crm.retrieval.models import DataRequest
from crm.testing import PASSWORD, approved, distinct_world, tiny_png
from crm.verification import services as verification_services
from crm.verification.models import VerificationItem

PERSONAS = (
    "anonymous",
    "rep_a",
    "rep_b",
    "rep_c",
    "manager",
    "manager2",
    "data_admin",
    "gm",
    "sysadmin",
    "director",
    "receptionist",
    "service_staff",
)
OK = "ok"  # the URL's success status
LOGIN = "login"  # 302 to the login page, with ?next= the URL asked for
AWAY = "away"  # 302 elsewhere: the login page sends a signed-in user on

# Expected status per persona, by the action a URL needs (as the API's matrix has them).
# fmt: off
PROFILES: dict[str, tuple[int | str, ...]] = {
    #              anon   rep_a rep_b rep_c mgr  mgr2 data gm   sys  dir  front service
    "sign_in":    (OK,    AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY),
    "anyone":     (OK,    OK,   OK,   OK,   OK,  OK,  OK,  OK,  OK,  OK,  OK,   OK),
    "signed_in":  (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  OK,  OK,  OK,   OK),
    "read":       (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),   # x's record
    "change":     (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "delete":     (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "followup":   (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),
    "plan":       (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  404),
    "customers":  (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),   # no record
    "register":   (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   403),
    "recycle_bin": (LOGIN, 403, 403,  403,  403, 403, OK,  403, 403, 403, 403,  403),
    "users":      (LOGIN, 403,  403,  403,  403, 403, 403, 403, OK,  403, 403,  403),
    "roles":      (LOGIN, 403,  403,  403,  403, 403, 403, 403, OK,  403, 403,  403),
    "approve":    (LOGIN, 403,  403,  403,  403, 403, 403, OK,  403, 403, 403,  403),  # the GM
    "audit":      (LOGIN, 403,  403,  403,  403, 403, OK,  OK,  403, 403, 403,  403),  # the log
    "settings":   (LOGIN, 403,  403,  403,  403, 403, 403, OK,  403, 403, 403,  403),  # grade table
    "team":       (LOGIN, 403,  403,  403,  OK,  OK,  403, OK,  403, OK,  403,  403),  # 夕会
    "defeat":     (LOGIN, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),  # comment
    "comment":    (LOGIN, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),  # 点评
    "reports":    (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "bulk":       (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # per row
    "own_view":   (LOGIN, OK,   404,  404,  404, 404, 404, 404, 403, 404, 403,  404),  # rep_a's
    # 老带新: rep_a's retained customer {old} and its card, x's link to {old}, {y} not linked
    "referral_read": (LOGIN, OK, 404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "issue_card": (LOGIN, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "link":       (LOGIN, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  OK,   403),
    "referral_confirm": (LOGIN, 403, 403, 403, OK, 404, 403, OK,  403, OK,  403,  403),
    "referral_list": (LOGIN, OK, OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),
    # 销售一部's pool {pool}: rep_a and rep_b are members, rep_b administers it
    "pool":       (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # list
    "pool_claim": (LOGIN, OK,   OK,   404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "pool_assign": (LOGIN, 404, OK,   404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "pool_settings": (LOGIN, 403, 403, 403, OK,  OK,  403, OK,  403, OK,  403,  403),
    "pool_edit":  (LOGIN, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),
    "pool_lock":  (LOGIN, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),  # x's
    # 客户共享: whoever may assign x shares it (the front desk of 销售一部 assigns its visitors)
    "share":      (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  OK,   403),
    # the reception desk (issue 8): 销售一部's rotation holds rep_a and rep_b
    "desk":       (LOGIN, 403,  403,  403,  OK,  OK,  403, OK,  403, OK,  OK,   403),  # own desk
    "rotation":   (LOGIN, 404,  404,  404,  OK,  OK,  403, OK,  403, OK,  OK,   403),  # own desk
    "my_seat":    (LOGIN, OK,   OK,   OK,   OK,  OK,  403, OK,  403, OK,  OK,   403),
    "seat":       (LOGIN, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  OK,   403),  # rep_a's
    "visits":     (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   403),  # own rows
    "complain":   (LOGIN, OK,   OK,   OK,   OK,  OK,  403, OK,  403, OK,  OK,   403),
    "decide":     (LOGIN, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),  # rep_a's
    "record":     (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),  # rep_a's
    # 密级 (issue 9): revealing a masked field of x (managers of its department and above); the
    # levels are the data administrator's
    "reveal":     (LOGIN, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "confidentiality": (LOGIN, 403, 403, 403, 403, 403, OK, 403, 403, 403, 403,  403),
    # 交接 (issue 9): {ho} hands rep_b (销售一部) over; 数据核查: the round {vr} over 销售一部
    "handovers":  (LOGIN, 403,  403,  403,  OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "handover_start": (LOGIN, 403, 403, 403, OK, OK,  403, OK,  403, OK,  403,  403),
    "handover":   (LOGIN, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),
    # 客户数据调用申请 (issue 9, scope 4): {dr} is rep_a's request for x, waiting for the director;
    # only rep_a downloads it (still waiting: back to the request with the reason)
    "data_requests": (LOGIN, OK, OK,    OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "data_request": (LOGIN, OK, 404,    404,  OK,  404, OK,  OK,  404, OK,  404,  404),
    "data_export": (LOGIN, OK,  404,    404,  403, 404, 403, 403, 403, 403, 403,  404),
    "verification": (LOGIN, 403, 403, 403,  403, 403, OK,  403, 403, 403, 403,  403),
    "verify":     (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "verify_item": (LOGIN, OK,  404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),  # x's
    # 客户导入 (issue 10): {im} is the manager of 销售一部's import waiting to start, {imd} one
    # that ran
    "imports":    (LOGIN, 403,  403,  403,  OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "import":     (LOGIN, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),
    # 产品与订单 (issue 11): the catalogue is read by all but the system administrator, kept by
    # managers, directors and the GM; {so} is a draft order of rep_a's customer {oc} (销售一部),
    # {sg} one reviewed and waiting for the GM's signature; no persona is a reviewing department
    "products":   (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   OK),
    "product_manage": (LOGIN, 403, 403, 403, OK, OK,  403, OK,  403, OK,  403,  403),
    "orders":     (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "order_create": (LOGIN, OK, 404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "order_change": (LOGIN, OK, 404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "order_review": (LOGIN, 403, 403, 403,  403, 403, 403, 403, 403, 403, 403,  403),
    # 调查表 (issue 10): {qf} the company's form, {qr} rep_a's response on x; filled on x by
    # whoever may edit x, designed by managers, directors, the data administrator and the GM
    "forms":      (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "form_manage": (LOGIN, 403, 403,  403,  OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "form_fill":  (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),  # on x
    # 名片导入 (issue 10, part 6): reps and managers import their phones' contacts
    "vcard_import": (LOGIN, OK, OK,   OK,   OK,  OK,  403, 403, 403, 403, 403,  403),
    # 销售机会 (issue 11): {op} is rep_a's open opportunity; the managers set up the pipelines
    "opp_list":   (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "opp_read":   (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "opp_change": (LOGIN, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "opp_new":    (LOGIN, OK,   OK,   OK,   OK,  OK,  403, OK,  403, OK,  403,  403),
    "pipelines":  (LOGIN, 403,  403,  403,  OK,  OK,  403, OK,  403, OK,  403,  403),
    # 满意度抽查 (issue 12): {sr} last month's sample, {scl} its call of rep_a's customer, {ca} an
    # open 整改 of rep_a's; the customer's own link {stok} needs no sign-in
    "surveys":    (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "survey_call": (LOGIN, OK,  404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),
    "survey_answer": (LOGIN, 403, 403, 403, 403, 403, 403, OK,  403, 403, 403,  OK),
    "action_manage": (LOGIN, 403, 403, 403, OK,  404, 403, OK,  403, OK,  403,  OK),
    # 客户关怀: {cc} the service department's campaign, {cg} its target of rep_a's customer
    "care":       (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "campaign_manage": (LOGIN, 403, 403, 403, OK, OK,  403, OK,  403, OK,  403,  OK),
    "care_record": (LOGIN, OK,  404,  404,  OK,  404, 403, OK,  403, OK,  403,  OK),
    # 知识管理: {ka} an article
    "knowledge":  (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   OK),
    "knowledge_manage": (LOGIN, 403, 403, 403, OK, OK, 403, OK,  403, OK,  403,  403),
    # 客户投诉 (issue 12): {sc} is a complaint about x registered by the service department; the
    # service department handles it, x's rep and managers see it and help; managers keep the SLA
    # table and the calendar; the public form needs no sign-in
    "complaints": (LOGIN, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),   # no record
    "complaint":  (LOGIN, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),
    "complaint_register": (LOGIN, 403, 403, 403, 403, 403, 403, OK, 403, 403, 403, OK),
    "complaint_handle": (LOGIN, 403, 403, 403, 403, 403, 403, OK, 403, 403, 403, OK),  # any move
    "complaint_assist": (LOGIN, OK, 404,  404,  OK,  404, 403, OK,  403, OK,  403,  OK),
    "complaint_report": (LOGIN, 403, 403, 403,  403, 403, 403, OK,  403, OK,  403,  OK),
    "sla_manage": (LOGIN, 403,  403,  403,  OK,  OK,  403, OK,  403, OK,  403,  403),
}

# URL name: (method, args, data, success status, profile); {x} {gone} {lost} {pl} {df} {tok}
# {usr} {role} {apr} are filled in from the world below.
PAGES: dict[str, tuple[str, tuple[str, ...], dict[str, Any] | None, int, str]] = {
    "home":                ("GET",  (),             None, 302, "signed_in"),
    "login":               ("GET",  (),             None, 200, "sign_in"),
    "logout":              ("POST", (),             None, 302, "anyone"),
    "settings":            ("GET",  (),             None, 200, "signed_in"),
    "password_change":     ("POST", (), {"old_password": PASSWORD, "new_password": "Xin-mima-2024",
                                         "new_password_again": "Xin-mima-2024"}, 302, "signed_in"),
    "token_create":        ("POST", (),             {"name": "脚本"}, 200, "signed_in"),
    "token_revoke":        ("POST", ("{tok}",),     None, 302, "signed_in"),  # one's own only
    "grade_settings":      ("GET",  (),             None, 200, "settings"),
    "followup_settings":   ("POST", (), {"missed_grace_hours": 12, "callback_days": "1,7"},
                                                          302, "settings"),
    "user_list":           ("GET",  (),             None, 200, "users"),
    "user_active":         ("POST", ("{usr}",),     {"active": "0"}, 302, "users"),
    "user_password_reset": ("POST", ("{usr}",),     {"password": "Xin-mima-2025"}, 302, "users"),
    "user_role":           ("POST", ("{usr}",),     {"role": "receptionist"}, 302, "users"),
    "user_edit":           ("GET",  ("{usr}",),     None, 200, "users"),
    "user_unlock":         ("POST", ("{usr}",),     None, 302, "users"),
    "source_settings":     ("GET",  (),             None, 200, "settings"),
    "source_edit":         ("POST", ("{src}",), {"s{src}-name": "电视", "s{src}-order": 3,
                                                 "s{src}-active": "on"}, 302, "settings"),
    "role_list":           ("GET",  (),             None, 200, "roles"),
    "role_edit":           ("GET",  ("{role}",),    None, 200, "roles"),
    "role_delete":         ("POST", ("{role}",),    None, 302, "roles"),
    "approval_list":       ("GET",  (),             None, 200, "signed_in"),  # one's own, if any
    "approval_decide":     ("POST", ("{apr}",),     {"decision": "reject"}, 302, "approve"),
    "audit_list":          ("GET",  (),             None, 200, "audit"),
    "customer_list":       ("GET",  (),             None, 200, "customers"),
    "customer_create":     ("GET",  (),             None, 200, "register"),
    "customer_trash":      ("GET",  (),             None, 200, "recycle_bin"),
    "customer_columns":    ("POST", (),             {"columns": ["phone", "grade"]}, 302,
                                                          "customers"),
    "customer_bulk":       ("POST", (),             {"operation": "add_tag", "tag": "VIP",
                                                     "target": "filter", "confirm": "1"},
                                                          302, "bulk"),  # each one's own scope
    "customer_views":      ("GET",  (),             None, 200, "customers"),
    "customer_view_rename": ("POST", ("{sv}",),     {"name": "改名"}, 302, "own_view"),
    "customer_view_delete": ("POST", ("{sv}",),     None, 302, "own_view"),
    "customer_view_share": ("POST", ("{sv}",),      {"shared": "0"}, 302, "own_view"),
    "customer_detail":     ("GET",  ("{x}",),       None, 200, "read"),
    "customer_edit":       ("GET",  ("{x}",),       None, 200, "change"),
    "customer_delete":     ("GET",  ("{x}",),       None, 200, "delete"),
    "customer_restore":    ("POST", ("{gone}",),    None, 302, "recycle_bin"),
    "customer_share":      ("POST", ("{x}",),       {"user": "{da}", "mode": "read_write",
                                                     "until": "{soon}"}, 302, "share"),
    "customer_unshare":    ("POST", ("{x}", "{sh}"), None, 302, "share"),
    "contact_create":      ("GET",  ("{x}",),       None, 200, "change"),
    "contact_edit":        ("GET",  ("{x}", "{ct}"), None, 200, "change"),
    "contact_delete":      ("POST", ("{x}", "{ct}"), None, 302, "change"),
    "followup_create":     ("GET",  ("{x}",),       None, 200, "followup"),
    "plan_create":         ("GET",  ("{x}",),       None, 200, "plan"),
    "plan_update":         ("POST", ("{x}", "{pl}"), {"p{pl}-planned_at": "2099-01-05T10:00",
                                    "p{pl}-method": "visit", "p{pl}-content": "改为上门",
                                    "p{pl}-version": 1}, 302, "plan"),
    "plan_cancel":         ("POST", ("{x}", "{pl}"), {"reason": "客户出差"}, 302, "plan"),
    "customer_transition": ("GET",  ("{x}",),       None, 200, "change"),
    "grade_suggest":       ("GET",  ("{x}",),       None, 200, "change"),
    "defeat_comment":      ("POST", ("{lost}", "{df}"), {"manager_comment": "价格让步不足"},
                                                          302, "defeat"),
    "attachment":          ("GET",  ("{at}",),      None, 200, "read"),
    "followup_comment":    ("POST", ("{fu}",),      {"comment": "继续跟进报价", "next": "/team/"},
                                                          302, "comment"),
    "today":               ("GET",  (),             None, 200, "customers"),
    "due_rows":            ("GET",  (),             None, 200, "customers"),
    "notifications_read":  ("POST", (),             None, 302, "customers"),
    "team_day":            ("GET",  (),             None, 200, "team"),
    "calendar":            ("GET",  (),             None, 200, "customers"),
    "calendar_reset":      ("POST", (),             None, 302, "customers"),
    # the public pool (crm/web/pool/urls.py); the rules themselves: crm/pool/tests
    "pool_list":           ("GET",  (),             None, 200, "pool"),
    "pool_claim":          ("POST", (),             {"customers": ["{pc}"]}, 302, "pool_claim"),
    "pool_assign":         ("POST", (),             {"customers": ["{pc}"], "owner": "{usr}"},
                                                          302, "pool_assign"),
    "pool_settings":       ("GET",  (),             None, 200, "pool_settings"),
    "pool_edit":           ("GET",  ("{pool}",),    None, 200, "pool_edit"),
    "pool_rule_add":       ("POST", ("{pool}",),    {"kind": "no_deal", "days": 90}, 302,
                                                          "pool_edit"),
    "pool_rule_remove":    ("POST", ("{pool}", "{rule}"), None, 302, "pool_edit"),
    "customer_pool_lock":  ("POST", ("{x}",),       {"reason": "集团客户"}, 302, "pool_lock"),
    "customer_pool_unlock": ("POST", ("{x}",),      None, 302, "pool_lock"),
    # the reports (crm/web/reports/urls.py); which rows each sees: crm/web/reports/tests
    "report_overview":              ("GET", (), None, 200, "reports"),
    "report_daily":                 ("GET", (), None, 200, "reports"),
    "report_daily_export":          ("GET", (), None, 200, "reports"),
    "report_contact_status":        ("GET", (), None, 200, "reports"),
    "report_contact_status_export": ("GET", (), None, 200, "reports"),
    "report_defeats":               ("GET", (), None, 200, "reports"),
    "report_defeats_export":        ("GET", (), None, 200, "reports"),
    # 老带新 (crm/web/referrals/urls.py)
    "referrals":            ("GET",  (),           None, 200, "referral_list"),
    "referral_export":      ("GET",  (),           None, 200, "referral_list"),
    "referral_settings":    ("GET",  (),           None, 200, "settings"),
    "referral_card_issue":  ("POST", ("{old}",),   None, 302, "issue_card"),
    "referral_card":        ("GET",  ("{card}",),  None, 200, "referral_read"),
    "referral_card_revoke": ("POST", ("{card}",),  {"reason": "遗失"}, 302, "issue_card"),
    "referral_reward_paid": ("POST", ("{rw}",),    None, 302, "issue_card"),
    "referral_link_create": ("POST", ("{y}",),     {"card_code": "LD{card:06d}"}, 302, "link"),
    "referral_confirm":     ("POST", ("{ln}",),    {"party": "customer"}, 302, "link"),
    "referral_decline":     ("POST", ("{ln}",),    {"reason": "非老客户介绍"}, 302,
                                                          "referral_confirm"),
    # the reception desk (crm/web/reception); what each sees: crm/web/tests/test_reception.py
    "reception_desk":      ("GET",  (),             None, 200, "desk"),
    "reception_lookup":    ("POST", (),             {"phone": "13911112222"}, 200, "desk"),
    "reception_rotation":  ("GET",  (),             None, 200, "rotation"),
    "reception_me":        ("GET",  (),             None, 200, "my_seat"),
    "reception_seat_status": ("POST", ("{seat}",),  {"status": "away"}, 302, "seat"),
    "reception_visits":    ("GET",  (),             None, 200, "visits"),
    "reception_summary_export": ("GET", (),         None, 200, "reports"),
    "reception_complaints": ("GET", (),             None, 200, "complain"),
    "reception_complaint_decide": ("POST", ("{cp}",), {"state": "dismissed", "finding": "不属实"},
                                                          302, "decide"),
    # 客户投诉 (crm/web/service); the rules: crm/service/tests
    "complaint_list":      ("GET",  (),             None, 200, "complaints"),
    "complaint_new":       ("GET",  (),             None, 200, "complaint_register"),
    "complaint_report":    ("GET",  (),             None, 200, "complaint_report"),
    "complaint_report_export": ("GET", (),          None, 200, "complaint_report"),
    "complaint_detail":    ("GET",  ("{sc}",),      None, 200, "complaint"),
    "complaint_act":       ("POST", ("{sc}",),      {"op": "accept"}, 302, "complaint_handle"),
    "complaint_attach":    ("POST", ("{sc}",),      None, 302, "complaint_assist"),
    "complaint_print":     ("GET",  ("{sc}",),      None, 200, "complaint"),
    "complaint_attachment": ("GET", ("{sa}",),      None, 200, "complaint"),
    "sla_settings":        ("GET",  (),             None, 200, "sla_manage"),
    "service_record_create": ("GET", ("{x}",),      None, 200, "complaint_assist"),
    "public_complaint":    ("GET",  (),             None, 200, "anyone"),
    "public_complaint_done": ("GET", ("{receipt}",), None, 200, "anyone"),
    "public_complaint_track": ("GET", (),           None, 200, "anyone"),
    "reception_record":    ("GET",  ("{ra}",),      None, 200, "record"),
    # 交接 and 数据核查 (crm/web/handover, crm/web/verification); the rules: crm/handover/tests,
    # crm/verification/tests
    "handover_list":       ("GET",  (),             None, 200, "handovers"),
    "handover_start":      ("GET",  (),             None, 200, "handover_start"),
    "handover_detail":     ("GET",  ("{ho}",),      None, 200, "handover"),
    "verification_list":   ("GET",  (),             None, 200, "verification"),
    "verification_round":  ("GET",  ("{vr}",),      None, 200, "verification"),
    "verification_mine":   ("GET",  (),             None, 200, "verify"),
    "verification_item":   ("POST", ("{vi}",),      {"do": "confirm"}, 302, "verify_item"),
    # two-step verification (crm/web/accounts/security.py): the code step without a password
    # step before it sends anyone back to the sign-in; the rest is one's own
    "login_code":          ("GET",  (),             None, 302, "anyone"),
    "two_factor_enrol":    ("GET",  (),             None, 200, "signed_in"),
    "two_factor_disable":  ("POST", (),             {"password": PASSWORD}, 302, "signed_in"),
    "two_factor_recovery": ("POST", (),             {"password": PASSWORD}, 302, "signed_in"),
    "user_two_factor_reset": ("POST", ("{usr}",),   None, 302, "users"),
    # 密级 and 查阅登记 (issue 9)
    "customer_reveal":     ("POST", ("{x}", "id_number"), None, 200, "reveal"),
    "confidentiality_settings": ("GET", (),         None, 200, "confidentiality"),
    "access_log":          ("GET",  (),             None, 200, "audit"),
    "access_log_export":   ("GET",  (),             None, 200, "audit"),
    "data_request_list":   ("GET",  (),             None, 200, "data_requests"),
    "data_request_new":    ("GET",  (),             None, 200, "data_requests"),
    "list_export_new":     ("GET",  ("orders",),    None, 200, "data_requests"),
    "data_request_detail": ("GET",  ("{dr}",),      None, 200, "data_request"),
    "data_request_export": ("POST", ("{dr}",),      None, 302, "data_export"),
    "import_list":         ("GET",  (),             None, 200, "imports"),
    "import_template":     ("GET",  (),             None, 200, "imports"),
    "import_detail":       ("GET",  ("{im}",),      None, 200, "import"),
    "import_progress":     ("GET",  ("{im}",),      None, 200, "import"),
    "import_start":        ("POST", ("{im}",),      None, 302, "import"),
    "import_cancel":       ("POST", ("{im}",),      None, 302, "import"),
    "import_undo":         ("POST", ("{imd}",),     None, 302, "import"),
    "import_errors":       ("GET",  ("{imd}",),     None, 200, "import"),
    "form_list":           ("GET",  (),             None, 200, "forms"),
    "form_templates":      ("GET",  (),             None, 200, "form_manage"),
    "form_builder":        ("GET",  ("{qf}",),      None, 200, "form_manage"),
    "form_section":        ("POST", ("{qf}", "{qs}"), {"do": "rename", "title": "客户资料"}, 302,
                            "form_manage"),
    "form_question":       ("GET",  ("{qf}", "{qq}"), None, 200, "form_manage"),
    "form_responses":      ("GET",  ("{qf}",),      None, 200, "forms"),
    "form_export":         ("GET",  ("{qf}",),      None, 200, "forms"),
    "form_analysis":       ("GET",  ("{qf}",),      None, 200, "forms"),
    "form_fill":           ("GET",  ("{qf}", "{x}"), None, 200, "form_fill"),
    "form_response":       ("GET",  ("{qr}",),      None, 200, "form_fill"),
    "vcard_import":        ("GET",  (),             None, 200, "vcard_import"),
    "sales_board":         ("GET",  (),             None, 200, "opp_list"),
    "sales_column":        ("GET",  ("{st}",),      None, 200, "opp_list"),
    "opportunity_list":    ("GET",  (),             None, 200, "opp_list"),
    "opportunity_create":  ("GET",  (),             None, 200, "opp_new"),
    "opportunity_detail":  ("GET",  ("{op}",),      None, 200, "opp_read"),
    "opportunity_edit":    ("GET",  ("{op}",),      None, 200, "opp_change"),
    "opportunity_action":  ("POST", ("{op}",), {"do": "move", "version": "1", "stage": "{st}"},
                            302, "opp_change"),
    "opportunity_move":    ("POST", ("{op}",), {"version": "1", "stage": "{st}"}, 302,
                            "opp_change"),
    "sales_forecast":      ("GET",  (),             None, 200, "opp_list"),
    "sales_funnel":        ("GET",  (),             None, 200, "opp_list"),
    "sales_reasons":       ("GET",  (),             None, 200, "opp_list"),
    "sales_export":        ("GET",  ("funnel",),    None, 200, "opp_list"),
    "sales_settings":      ("GET",  (),             None, 200, "pipelines"),
    "pipeline_create":     ("GET",  (),             None, 200, "pipelines"),
    "pipeline_edit":       ("GET",  ("{pp}",),      None, 200, "pipelines"),
    "survey_list":         ("GET",  (),             None, 200, "surveys"),
    "survey_round":        ("GET",  ("{sr}",),      None, 200, "surveys"),
    "survey_call":         ("GET",  ("{scl}",),      None, 200, "survey_call"),
    "survey_link":         ("POST", ("{scl}",),      None, 200, "survey_answer"),
    "survey_action_open":  ("POST", ("{scl}",),
                            {"problem": "交车延迟", "responsible": "{ra}", "due_on": "{soon}"},
                            302, "action_manage"),
    "survey_performance":  ("GET",  (),             None, 200, "surveys"),
    "survey_public":       ("GET",  ("{stok}",),    None, 200, "anyone"),
    "care_actions":        ("GET",  (),             None, 200, "surveys"),
    "care_action":         ("GET",  ("{ca}",),      None, 200, "survey_call"),
    "care_reminders":      ("GET",  (),             None, 200, "care"),
    "care_birthday":       ("GET",  ("{x}",),       None, 200, "change"),
    "care_campaigns":      ("GET",  (),             None, 200, "care"),
    "care_campaign":       ("GET",  ("{cc}",),      None, 200, "care"),
    "care_campaign_target": ("POST", ("{cc}", "{cg}"), {"state": "responded"}, 302,
                            "care_record"),
    "care_campaign_close": ("POST", ("{cc}",),      None, 302, "campaign_manage"),
    "knowledge_list":      ("GET",  (),             None, 200, "knowledge"),
    "knowledge_detail":    ("GET",  ("{ka}",),      None, 200, "knowledge"),
    "knowledge_new":       ("GET",  (),             None, 200, "knowledge_manage"),
    "knowledge_edit":      ("GET",  ("{ka}",),      None, 200, "knowledge_manage"),
    "knowledge_categories": ("GET", (),             None, 200, "knowledge_manage"),
    "product_list":        ("GET",  (),             None, 200, "products"),
    "product_new":         ("GET",  (),             None, 200, "product_manage"),
    "product_categories":  ("GET",  (),             None, 200, "product_manage"),
    "product_edit":        ("GET",  ("{pr}",),      None, 200, "product_manage"),
    "order_list":          ("GET",  (),             None, 200, "orders"),
    "order_new":           ("POST", (), {"customer": "{oc}", "payment_method": "transfer",
                            "currency": "CNY", "lines-TOTAL_FORMS": "1",
                            "lines-INITIAL_FORMS": "0", "lines-0-product": "{pr}",
                            "lines-0-quantity": "1"}, 302, "order_create"),
    "order_reviews":       ("GET",  (),             None, 200, "orders"),
    "order_payments":      ("GET",  (),             None, 200, "orders"),
    "sales_statistics":    ("GET",  (),             None, 200, "reports"),
    "sales_statistics_export": ("GET", ("xlsx",),    None, 200, "reports"),
    "licence_list":        ("GET",  (),             None, 200, "customers"),
    "licence_new":         ("POST", (), {"customer": "{x}", "kind": "licence", "number": "L-9",
                            "classes": "III", "expires_on": "2030-01-01"}, 302, "change"),
    "licence_edit":        ("GET",  ("{lc}",),      None, 200, "change"),
    "licence_delete":      ("POST", ("{lc}",),      None, 302, "change"),
    "order_detail":        ("GET",  ("{so}",),      None, 200, "read"),
    "order_edit":          ("GET",  ("{so}",),      None, 200, "order_change"),
    "order_submit":        ("GET",  ("{so}",),      None, 200, "order_change"),
    "order_review":        ("POST", ("{sg}", "quality"), {"decision": "approve"}, 302,
                            "order_review"),
    "order_sign":          ("POST", ("{sg}",), {"decision": "approve"}, 302, "approve"),
    "order_signature_request": ("POST", ("{sg}",), {"version": "1"}, 302, "order_change"),
    "order_deliver":       ("POST", ("{so}",), {"version": "1"}, 302, "order_change"),
    "order_close":         ("POST", ("{so}",), {"version": "1"}, 302, "order_change"),
    "order_cancel":        ("POST", ("{so}",), {"version": "1", "reason": "客户取消"}, 302,
                            "order_change"),
    "order_files":         ("POST", ("{so}",), {"kind": "contract"}, 302, "order_change"),
    "order_file":          ("GET",  ("{so}", "{of}"), None, 200, "read"),
    "order_pdf":           ("GET",  ("{so}",),      None, 200, "read"),
    "order_plan":          ("POST", ("{so}",),      None, 302, "order_change"),
    "order_receipt":       ("POST", ("{so}",),      None, 302, "order_change"),
    "order_property":      ("POST", ("{so}",),      None, 302, "order_change"),
}
# fmt: on


@pytest.fixture
def world(org):
    x = make_customer(org.rep_a, name="星河机械有限公司", phone="13911112222", kind="organization")
    contact = services.contact_create(actor=org.rep_a, customer_id=x.pk, data={"name": "周老板"})
    gone = make_customer(org.rep_a, name="已删除客户")
    services.customer_delete(actor=org.rep_a, customer_id=gone.pk)
    accounts.token_issue(actor=org.rep_a, name="rep_a's script")
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=x.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=1)},
    )
    lost = make_customer(org.rep_a, name="流失客户", category="intention", grade="B")
    call = activities.followup_record(
        actor=org.rep_a,
        customer_id=lost.pk,
        data={"kind": "call", "content": "询问报价"},
        files=[tiny_png()],
    )
    lost.refresh_from_db()
    event = approved(
        lifecycle.customer_transition(
            actor=org.rep_a,
            customer_id=lost.pk,
            version=lost.version,
            to="defeated",
            defeat={"reason": lifecycle.defeat_reasons()[0].pk, "tried": "试乘试驾、降价"},
        )
    )
    trainee = accounts.role_create(actor=org.sysadmin, code="trainee", name="实习生")
    # making rep_b a manager (reads the department's customers) waits for the general manager
    pending = accounts.user_set_role(actor=org.sysadmin, user_id=org.rep_b.pk, role="manager")
    saved = listviews.view_save(actor=org.rep_a, name="我的H级", params={"grade": "H"}, columns=[])
    old = make_customer(org.rep_a, name="老业主", category="retained")
    card = referrals.card_issue(actor=org.rep_a, customer_id=old.pk)
    link = referrals.referral_link_create(
        actor=org.rep_a, customer_id=x.pk, data={"referrer_number": old.number}
    )
    pool = pool_services.pool_create(
        actor=org.gm,
        data={
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk, org.rep_b.pk],
            "admins": [org.rep_b.pk],
        },
    )
    rule = pool_services.rule_add(
        actor=org.gm, pool_id=pool.pk, data={"kind": "no_followup", "days": 30}
    )
    waiting = make_customer(org.data_admin, name="公海客户")  # its former owner claims nothing
    pool_services.pool_release(
        actor=org.data_admin, customer_id=waiting.pk, pool_id=pool.pk, reason="无人跟进"
    )
    reception.rotation_set(actor=org.manager, data={"users": [org.rep_a.pk, org.rep_b.pk]})
    complaint = reception.complaint_file(
        actor=org.rep_b, data={"kind": "grab", "accused": org.rep_a.pk, "description": "抢客"}
    )
    # x shared with the data administrator, who sees it anyway
    soon = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    share = shares.customer_share(
        actor=org.rep_a, customer_id=x.pk, data={"user": org.data_admin.pk, "until": soon}
    )
    handover = handover_services.handover_start(
        actor=org.manager,
        data={
            "leaver": org.rep_b.pk,
            "kind": "transfer",
            "receivers": [org.rep_a.pk],
            "reason": "调往销售二部",
        },
    )
    round_ = verification_services.round_open(
        actor=org.data_admin,
        data={"title": "一部核查", "deadline": soon, "department": org.sales1.pk},
    )
    survey = questionnaire_services.form_create(actor=org.manager, data={"name": "购房问卷"})
    age = questionnaire_services.question_add(
        actor=org.manager, form_id=survey.pk, data={"kind": "number", "label": "年龄"}
    )
    questionnaire_services.form_publish(actor=org.manager, form_id=survey.pk)
    return distinct_world(
        _import_world(org),
        _care_world(org, soon, today=old.deal_on),
        _order_world(org, x),
        _service_world(org, x),
        _sales_world(org),
        {
            "qf": survey,
            "qq": age,
            "qs": age.section,
            "qr": questionnaire_services.response_submit(
                actor=org.rep_a, form_id=survey.pk, customer_id=x.pk, answers={str(age.pk): 36}
            ),
            "dr": retrieval_services.request_file(
                actor=org.rep_a,
                data={
                    "purpose": "年会邀请",
                    "recipient": "会务公司",
                    "fields": ["name"],
                    "customers": [x.pk],
                },
            ),
            "ho": handover,
            "vr": round_,
            "vi": VerificationItem.objects.get(round=round_, customer=x),
            "rw": rewarded(referrer=old, rep=org.rep_a, manager=org.manager),
            "old": old,
            "card": card,
            "ln": link,
            "y": make_customer(org.rep_a, name="待关联客户"),
            "pool": pool,
            "rule": rule,
            "pc": waiting,
            "sh": share,
            "da": org.data_admin,
            "soon": soon,
            "seat": Seat.objects.get(user=org.rep_a),
            "cp": complaint,
            "ra": org.rep_a,
            "sv": saved,
            "role": trainee.code,
            "apr": pending,
            "x": x,
            "gone": gone,
            "lost": lost,
            "pl": plan,
            "df": event.defeat,
            "tok": accounts_selectors.token_list(actor=org.rep_a).get(),
            "usr": org.rep_b,
            "fu": call,
            "at": call.attachments.get(),
            "ct": contact,
            "src": Source.objects.get(code="tv"),
        },
    )


def _sales_world(org):
    from crm.sales import selectors as sales_selectors
    from crm.sales import services as sales_services

    buyer = make_customer(org.rep_a, name="机会客户", category="intention", grade="B")
    default = sales_selectors.pipeline_get(None)
    assert default is not None
    op = sales_services.opportunity_create(
        actor=org.rep_a, data={"name": "设备采购", "customer": buyer.pk, "amount": "50000"}
    )
    return {"op": op, "st": sales_selectors.stages_of(default)[1], "pp": default}


def _care_world(org, soon, *, today):
    from crm.care import caring
    from crm.care import services as care_services
    from crm.knowledge import services as knowledge_services

    # the month before the older retained customer's deal, read from it: a world built across
    # midnight of a month's last day would otherwise put both in the month drawn
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    bought = make_customer(org.rep_a, name="上月车主", category="retained", deal_on=last_month)
    survey = care_services.round_draw(
        actor=org.service_staff, data={"month": f"{last_month:%Y-%m}", "size": 1}
    )
    call = survey.calls.get(customer=bought)
    action = care_services.action_open(
        actor=org.service_staff,
        call_id=call.pk,
        data={"problem": "交车延迟", "responsible": org.rep_a.pk, "due_on": soon},
    )
    campaign = caring.campaign_start(
        actor=org.service_staff, data={"title": "冬季检测", "filter": {"category": "retained"}}
    )
    article = knowledge_services.article_create(
        actor=org.manager, data={"title": "定金可以退吗？", "answer": "签订合同前可退。"}
    )
    return {
        "sr": survey.pk,
        "scl": call.pk,
        "ca": action.pk,
        "stok": care_services.link_issue(actor=org.service_staff, call_id=call.pk),
        "cc": campaign.pk,
        "cg": campaign.targets.get(customer=bought).pk,
        "ka": article.pk,
    }


def _service_world(org, x):
    from django.core import signing

    from crm.service import services as service_services
    from crm.web.service.views import RECEIPT_SALT

    complaint = service_services.complaint_register(
        actor=org.service_staff,
        data={
            "complainant": "王总",
            "category": "product",
            "description": "设备异响",
            "customer": x.pk,
        },
    )
    attachment = service_services.complaint_attach(
        actor=org.service_staff, complaint_id=complaint.pk, files=[tiny_png()]
    )[0]
    return {
        "sc": complaint,
        "sa": attachment,
        "receipt": signing.dumps(complaint.number, salt=RECEIPT_SALT),
    }


def _import_world(org):
    import io

    from crm.imports import services as import_services
    from crm.imports.tests.files import xlsx

    data = xlsx([["姓名", "手机"], ["导入客户", "13600000001"]])

    def upload():
        return import_services.import_upload(
            actor=org.manager, stream=io.BytesIO(data), name="客户.xlsx", size=len(data)
        )

    ran = upload()
    import_services.import_start(actor=org.manager, job_id=ran.pk)
    import_services.import_run(job_id=ran.pk)
    return {"im": upload(), "imd": ran}


def _order_world(org, x):
    from crm.orders import licences as order_licences
    from crm.orders import services as order_services
    from crm.orders.tests.factories import (
        make_order,
        make_product,
        make_reviewers,
        review_all,
        submit,
    )

    product = make_product(org)
    buyer = make_customer(
        org.rep_a, name="订单客户", kind="organization", category="intention", grade="A"
    )
    draft = make_order(org.rep_a, buyer, product)
    order_services.order_attach(actor=org.rep_a, order_id=draft.pk, files=[tiny_png()])
    signing = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, signing)
    review_all(make_reviewers(org), signing)
    licence = order_licences.licence_create(
        actor=org.rep_a,
        data={"customer": x.pk, "number": "L-1", "classes": ["II"], "expires_on": "2030-01-01"},
    )
    return {
        "pr": product,
        "oc": buyer,
        "so": draft,
        "sg": signing,
        "of": draft.files.get(),
        "lc": licence,
    }


def _fill(template: Any, world: dict[str, Any]) -> Any:
    if isinstance(template, str):
        return template.format(**{k: getattr(v, "pk", v) for k, v in world.items()})
    if isinstance(template, dict):
        return {_fill(k, world): _fill(v, world) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, world) for v in template]
    return template


# The URLs in shards, each shard one test that builds the world once (built for every URL, it
# was most of the matrix's time).
SHARDS = 8


@pytest.mark.parametrize("shard", range(SHARDS))
def test_scope_matrix(org, as_user, world, subtests, shard):
    # given each URL of the shard and each persona in turn (each request runs in a savepoint
    # rolled back after it, so one request's write is not the next one's world)
    for page in list(PAGES)[shard::SHARDS]:
        args, profile = PAGES[page][1], PAGES[page][4]
        url = reverse(f"web:{page}", args=[_fill(a, world) for a in args])
        for persona, expected in zip(PERSONAS, PROFILES[profile], strict=True):
            with subtests.test(page=page, persona=persona), transaction.atomic():
                _cell(as_user, org, world, page, persona, expected, url)
                transaction.set_rollback(True)


def _cell(as_user, org, world, page, persona, expected, url):
    method, _args, data, success, _profile = PAGES[page]
    client = as_user(None if persona == "anonymous" else getattr(org, persona))

    # when it is requested
    response = getattr(client, method.lower())(url, _fill(data, world) or {})

    # then the status is the table's; refusals show the error page and nothing of the record
    want = {OK: success, LOGIN: 302, AWAY: 302}.get(expected, expected)
    assert response.status_code == want, response.content.decode()[:500]
    if expected == LOGIN:
        assert response["Location"] == f"{reverse('web:login')}?next={quote(url)}"
    if expected == AWAY:
        assert not response["Location"].startswith(reverse("web:login"))
    if want in (403, 404):
        body = response.content.decode()
        assert "客户管理系统" in body  # the site's error page, not a bare one
        assert "星河机械有限公司" not in body
        assert "13911112222" not in body
    if want in (302, 403, 404) and expected != OK and method == "POST":
        _nothing_changed(world)
    if page == "token_revoke":  # 302 for everyone, but only the owner's revokes the token
        revoked = ApiToken.objects.get(pk=world["tok"].pk).revoked_at is not None
        assert revoked is (persona == "rep_a")


def _nothing_changed(world: dict[str, Any]) -> None:
    """A refused write leaves every record of the world as it was."""
    x = Customer.objects.get(pk=world["x"].pk)
    assert (x.version, x.deleted_at) == (1, None)
    assert Customer.objects.get(pk=world["gone"].pk).deleted_at is not None
    assert x.contacts.filter(pk=world["ct"].pk).exists()
    assert Source.objects.get(pk=world["src"].pk).name == "电视广告"
    assert [(p.version, p.status) for p in Plan.objects.filter(customer=x)] == [(1, "planned")]
    assert not FollowUp.objects.filter(customer=x).exists()
    world["df"].refresh_from_db()
    assert world["df"].manager_comment == ""
    assert FollowUp.objects.get(pk=world["fu"].pk).comment == ""
    assert ApiToken.objects.get(pk=world["tok"].pk).revoked_at is None
    assert User.objects.get(pk=world["usr"].pk).is_active
    assert lifecycle.lifecycle_settings().callback_days == "1,7,30,90"
    assert Role.objects.filter(pk=world["role"]).exists()
    assert ApprovalRequest.objects.get(pk=world["apr"].pk).state == ApprovalState.PENDING
    assert User.objects.get(pk=world["usr"].pk).role_id == "rep"
    assert User.objects.get(pk=world["usr"].pk).check_password(PASSWORD)
    assert ReferralCard.objects.get(pk=world["card"].pk).revoked_at is None
    assert ReferralLink.objects.get(pk=world["ln"].pk).state == "pending"
    assert not ReferralLink.objects.filter(customer=world["y"]).exists()
    assert Reward.objects.get(pk=world["rw"].pk).paid_at is None
    assert PoolEntry.objects.filter(customer=world["pc"], left_at__isnull=True).exists()
    assert Customer.objects.get(pk=world["pc"].pk).owner_id is None
    assert list(ReturnRule.objects.filter(pool=world["pool"])) == [world["rule"]]
    assert not PoolLock.objects.exists()
    assert VerificationItem.objects.get(pk=world["vi"].pk).state == "pending"
    assert DataRequest.objects.get(pk=world["dr"].pk).state == "pending"
    share = CustomerShare.objects.get(pk=world["sh"].pk)
    assert (share.mode, share.until.isoformat()) == ("read", world["soon"])


def _names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


def test_matrix_covers_every_url_of_the_web():
    # Given the URL patterns of the web namespace, when compared with the table, none is left out.
    _prefix, resolver = get_resolver().namespace_dict["web"]
    assert _names(resolver.url_patterns) - set(PAGES) == set()
    assert set(PAGES) - _names(resolver.url_patterns) == set()  # nor a stale row


# --- beyond the matrix ----------------------------------------------------------------------

RECORD = dict(zip(PERSONAS, PROFILES["change"], strict=True))
CUSTOMER_MATRIX = {p: (200 if s == OK else s) for p, s in RECORD.items() if p != "anonymous"}


def test_anonymous_htmx_request_is_told_to_go_to_login(client, org):
    response = client.get(reverse("web:customer_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("web:login"))


@pytest.mark.parametrize(("persona", "status"), CUSTOMER_MATRIX.items())
def test_writes_follow_the_scope(as_user, org, customer_a, persona, status):
    client = as_user(getattr(org, persona))
    # an everyday field: master data (the name …) would become a change request (客户数据变更申请)
    edit = client.post(
        reverse("web:customer_edit", args=[customer_a.pk]),
        {
            "kind": "person",
            "name": customer_a.name,
            "phone": customer_a.phone,
            "category": "potential",
            "city": "改城",
            "version": 1,
        },
    )
    assert edit.status_code == (302 if status == 200 else status)
    customer_a.refresh_from_db()
    assert (customer_a.city == "改城") is (status == 200)


def test_outsider_cannot_delete_or_add_contacts(as_user, org, customer_a):
    client = as_user(org.rep_c)
    delete = client.post(reverse("web:customer_delete", args=[customer_a.pk]), {"version": 1})
    contact = client.post(
        reverse("web:contact_create", args=[customer_a.pk]), {"name": "某人", "role": "other"}
    )
    assert (delete.status_code, contact.status_code) == (404, 404)
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is None
    assert customer_a.contacts.count() == 0


def test_list_shows_each_persona_their_scope(as_user, org):
    make_customer(org.rep_a, name="甲方客户")
    make_customer(org.rep_b, name="乙方客户")
    make_customer(org.rep_c, name="丙方客户")

    def names(persona):
        client = as_user(getattr(org, persona))
        body = client.get(reverse("web:customer_list")).content.decode()
        return {n for n in ("甲方客户", "乙方客户", "丙方客户") if n in body}

    assert names("rep_a") == {"甲方客户"}
    assert names("rep_c") == {"丙方客户"}
    assert names("manager") == {"甲方客户", "乙方客户"}
    assert names("manager2") == {"丙方客户"}
    assert names("data_admin") == {"甲方客户", "乙方客户", "丙方客户"}
    assert names("gm") == {"甲方客户", "乙方客户", "丙方客户"}


def test_sysadmin_gets_403_on_customer_list_and_create(as_user, org):
    client = as_user(org.sysadmin)
    assert client.get(reverse("web:customer_list")).status_code == 403
    assert client.get(reverse("web:customer_create")).status_code == 403
    response = client.post(
        reverse("web:customer_create"), {"kind": "person", "name": "X", "category": "potential"}
    )
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("data_admin", 200),
        ("gm", 200),
        ("rep_a", 403),
        ("manager", 403),
        ("sysadmin", 403),
    ],
)
def test_the_audit_log_is_for_the_data_administrator_and_the_general_manager(
    as_user, org, customer_a, persona, status
):
    client = as_user(getattr(org, persona))
    response = client.get(reverse("web:audit_list"), {"customer": customer_a.pk})
    assert response.status_code == status
    body = response.content.decode()
    # the log names the record (its number and name); refusals show nothing of it
    assert (customer_a.number in body) is (status == 200)


def test_navigation_offers_each_role_its_pages(as_user, org):
    labels = (
        "回收站", "用户管理", 'href="/customers/"', "今日工作", "日程", "夕会", "跟进设置",
        "审计日志",
    )  # fmt: skip

    def nav(persona):
        body = as_user(getattr(org, persona)).get(reverse("web:settings")).content.decode()
        menu = body[body.index('<nav id="site-nav"') : body.index("</nav>")]
        return {label for label in labels if label in menu}

    work = {'href="/customers/"', "今日工作", "日程"}
    assert nav("rep_a") == work
    assert nav("manager") == work | {"夕会"}  # the grade table is the general manager's
    assert nav("gm") == work | {"夕会", "跟进设置", "审计日志"}
    assert nav("data_admin") == work | {"回收站", "审计日志"}
    assert nav("sysadmin") == {"用户管理"}


def test_home_sends_each_role_to_its_first_page(as_user, org):
    assert as_user(org.rep_a).get("/")["Location"] == reverse("web:today")
    assert as_user(org.manager).get("/")["Location"] == reverse("web:today")
    assert as_user(org.gm).get("/")["Location"] == reverse("web:report_overview")  # a GM's page
    assert as_user(org.data_admin).get("/")["Location"] == reverse("web:customer_list")
    assert as_user(org.sysadmin).get("/")["Location"] == reverse("web:user_list")


def test_unknown_page_is_a_404_in_the_site_layout(as_user, org):
    response = as_user(org.rep_a).get("/customers/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "个人设置" in body  # the navigation is there
