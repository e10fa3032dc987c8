"""The scope matrix: every endpoint against every persona, in one table.

anonymous → 401; a role without the action → 403 (the system administrator has no customer
actions); outside the action's data scope → 404 and nothing of the record; in scope → success.
The customer ``x`` belongs to rep_a in 销售一部: rep_b (same department, own records only), rep_c
and manager2 (销售二部) are outsiders; the manager of 销售一部, the sales director (head office,
above both sales departments), the data administrator and the general manager see it. The front
desk of 销售一部 registers and assigns customers without reading any; service staff read every
customer and record callbacks but change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from crm.accounts import selectors as accounts_selectors
from crm.accounts import services as accounts
from crm.activities import services as activities
from crm.activities.models import FollowUp, Plan
from crm.customers import lifecycle, listviews, services, shares
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.handover import services as handover_services
from crm.pool import services as pool_services
from crm.pool.models import PoolLock, ReturnRule
from crm.questionnaires import services as questionnaire_services
from crm.reception import services as reception
from crm.reception.models import Seat
from crm.referrals import services as referrals
from crm.referrals.tests.factories import rewarded
from crm.retrieval import services as retrieval_services
from crm.testing import approved, distinct_world, tiny_png
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
OK = "ok"  # the endpoint's success status
FILES = "files"  # the body is a multipart upload of one small picture
XLSX = "xlsx"  # the body is a multipart upload of a small customer spreadsheet
VCF = "vcf"  # the body is a multipart upload of one small .vcf file (one new customer's card)

# Expected status per persona, by the action an endpoint needs. Each action has its own scope:
# the front desk registers customers and assigns them but reads none; service staff read every
# customer and record callbacks, but change nothing and plan only what is assigned to them.
# fmt: off
PROFILES: dict[str, tuple[int | str, ...]] = {
    #              anon rep_a rep_b rep_c mgr  mgr2 data gm   sys  dir  front service
    "read":       (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),   # x's record
    "change":     (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "delete":     (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "followup":   (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),
    "plan":       (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  404),
    "customers":  (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),   # no record
    "plans":      (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),   # one's own
    "create":     (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  422,  403),  # owner: self
    "register":   (401, OK,   422,  422,  OK,  422, OK,  OK,  403, OK,  OK,   403),  # for rep_a
    "recycle_bin": (401, 403, 403,  403,  403, 403, OK,  403, 403, 403, 403,  403),
    "signed_in":  (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  OK,  OK,  OK,   OK),
    "settings":   (401, 403,  403,  403,  403, 403, 403, OK,  403, 403, 403,  403),  # grade table
    "defeat":     (401, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),  # comment
    "comment":    (401, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),  # 点评
    "feed":       (OK,  OK,   OK,   OK,   OK,  OK,  OK,  OK,  OK,  OK,  OK,   OK),   # secret URL
    "reports":    (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "roles":      (401, 403,  403,  403,  403, 403, 403, 403, OK,  403, 403,  403),
    "approve":    (401, 403,  403,  403,  403, 403, 403, OK,  403, 403, 403,  403),  # the GM
    "audit":      (401, 403,  403,  403,  403, 403, OK,  OK,  403, 403, 403,  403),  # the log
    "own_view":   (401, OK,   404,  404,  404, 404, 404, 404, 403, 404, 403,  404),  # rep_a's
    "bulk":       (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # per row
    # handing customers to rep_a: 422 for those who may not assign to rep_a (another rep, the
    # other department's manager), refusals per row for the rest
    "bulk_assign": (401, OK,  422,  422,  OK,  422, OK,  OK,  403, OK,  OK,   403),
    # 老带新: the cards of rep_a's retained customer, the link of x (a new customer), the links,
    # terms and ranking each sees of their own scope; the front desk links visitors of its
    # department and records the customers' confirmations, the manager confirms or declines
    "referral_read": (401, OK,  404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "issue_card": (401, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "link":       (401, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  OK,   403),
    "referral_confirm": (401, 403, 403, 403, OK, 404, 403, OK,  403, OK,  403,  403),
    "referral_list": (401, OK,  OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),
    # 销售一部's pool {pool}: rep_a and rep_b are members, rep_b administers it; {pc} waits in it
    "pool":       (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # list
    "pool_read":  (401, OK,   OK,   404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "pool_claim": (401, OK,   OK,   404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "pool_assign": (401, 404, OK,   404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "pool_manage": (401, 403, 403,  403,  OK,  OK,  403, OK,  403, OK,  403,  403),  # own dept
    "pool_edit":  (401, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),
    "pool_lock":  (401, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),  # x's
    # 客户共享: whoever may assign x shares it (the front desk of 销售一部 assigns its visitors)
    "share":      (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  OK,   403),
    # the reception desk of 销售一部 (issue 8): rep_a and rep_b in its rotation
    "lookup":     (401, 403,  403,  403,  OK,  OK,  OK,  OK,  403, OK,  OK,   403),  # any phone
    "desks":      (401, 403,  403,  403,  OK,  OK,  403, OK,  403, OK,  OK,   403),
    "desk":       (401, 404,  404,  404,  OK,  404, 403, OK,  403, OK,  OK,   403),  # 销售一部's
    "seat":       (401, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  OK,   403),  # rep_a's
    "register_visit": (401, 403, 403, 403, OK, 404, 403, OK,  403, OK,  OK,   403),
    "visits":     (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   403),  # own rows
    "record":     (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),  # rep_a's
    "records":    (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "complain":   (401, OK,   OK,   OK,   OK,  OK,  403, OK,  403, OK,  OK,   403),
    "decide":     (401, 403,  403,  403,  OK,  404, 403, OK,  403, OK,  403,  403),  # about rep_a
    # 密级 (issue 9): revealing a masked field of x (managers of its department and above)
    "reveal":     (401, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),
    # 交接 (issue 9, scope 6): {ho} hands rep_b (销售一部) over, started by the manager; a new
    # one hands over rep_x of 销售二部
    "handovers":  (401, 403,  403,  403,  OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "handover_start": (401, 403, 403, 403, 422, OK, 403, OK,  403, OK,  403,  403),
    "handover":   (401, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "handover_sign": (401, 403, 403,  403,  403, 403, 403, OK,  403, OK,  403,  403),
    # 数据核查 (issue 9, scope 7): the data administrator's round {vr} over 销售一部; {vi} is x's
    "verification": (401, 403, 403,  403,  403, 403, OK,  403, 403, 403, 403,  403),
    "verify":     (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "verify_item": (401, OK,  404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),  # x's
    # 客户资料变更申请 (issue 9): {ap} is the system administrator's request, the general
    # manager's to decide; x's phone changed: a request (202) but by the data administrator
    "approval_read": (401, 404, 404, 404,  404, 404, 404, OK,  OK,  404, 404,  404),
    "change_master": (401, 202, 404, 404,  202, 404, OK,  202, 403, 202, 403,  403),
    # 客户数据调用申请 (issue 9, scope 4): {dr} is rep_a's pending request for x; anyone who reads
    # x may ask for it, only rep_a downloads it (409 while it waits for the director and the GM)
    "data_requests": (401, OK,  OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "data_request_file": (401, OK, 422, 422, OK,  422, OK,  OK,  403, OK,  403,  OK),
    "data_request": (401, OK,   404,  404,  OK,  404, OK,  OK,  404, OK,  404,  404),
    "data_request_export": (401, 409, 404, 404, 403, 404, 403, 403, 403, 403, 403, 404),
    # 客户投诉 (issue 12): {sk} is a complaint about x, registered by the service department and
    # not yet accepted; the service department handles it, x's rep and their managers see it and
    # help; a move its state refuses is a conflict; managers keep the SLA table and calendar
    "complaints": (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),   # no record
    "complaint":  (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),   # {sk}
    "complaint_register": (401, 403, 403, 403, 403, 403, 403, OK, 403, 403, 403,  OK),
    "complaint_handle": (401, 403, 403, 403, 403, 403, 403, OK,  403, 403, 403,  OK),
    "complaint_conflict": (401, 403, 403, 403, 403, 403, 403, 409, 403, 403, 403, 409),
    "complaint_assist": (401, OK, 404,  404,  OK,  404, 403, OK,  403, OK,  403,  OK),
    "complaint_report": (401, 403, 403, 403,  403, 403, 403, OK,  403, OK,  403,  OK),
    "sla_manage": (401, 403,  403,  403,  OK,  OK,  403, OK,  403, OK,  403,  403),
    # the public complaint form: anyone; a submission without the form's signed stamp is refused
    "public":     (OK,  OK,   OK,   OK,   OK,  OK,  OK,  OK,  OK,  OK,  OK,   OK),
    # the public form refuses an unsigned stamp whoever sends it (403, like a failed CSRF check)
    "public_refused": (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # 客户导入 (issue 10): managers, directors, the data administrator and the GM import; {im}
    # is the manager of 销售一部's import waiting to start, {imd} one that ran
    "imports":    (401, 403,  403,  403,  OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "import":     (401, 403,  403,  403,  OK,  404, OK,  OK,  403, OK,  403,  403),
    # 调查表 (issue 10): {qf} the company's form (published, with a draft); filled on x by whoever
    # may edit x; the managers, directors, data administrator and GM design forms
    "forms":      (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "form_manage": (401, 403, 403,  403,  OK,  OK,  OK,  OK,  403, OK,  403,  403),
    "form_fill":  (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),  # on x
    # 名片导入 (issue 10, part 6): reps and managers import their phones' contacts as their own
    "vcard_import": (401, OK,   OK,   OK,   OK,  OK,  403, 403, 403, 403, 403,  403),
    # 销售机会 (issue 11): {op} is rep_a's open opportunity (an intention customer's), {opl} a
    # lost one; x gets a new one from whoever may read x; the managers set up the pipelines
    "opp_list":   (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  403),  # own rows
    "opp_read":   (401, OK,   404,  404,  OK,  404, OK,  OK,  403, OK,  403,  403),
    "opp_change": (401, OK,   404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "opp_create": (401, OK,   422,  422,  OK,  422, 403, OK,  403, OK,  403,  403),  # for x
    "pipeline_manage": (401, 403, 403, 403, OK, OK,  403, OK,  403, OK,  403,  403),
    # 满意度抽查 (issue 12): {sr} last month's sample, its call {sc} of rep_a's customer; {ca} an
    # open 整改 of rep_a's, {cd} one reported done; the service department draws and calls, each
    # rep sees their own, the managers verify their department's actions
    "surveys":    (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "survey_call": (401, OK,  404,  404,  OK,  404, OK,  OK,  403, OK,  403,  OK),
    "survey_draw": (401, 403, 403,  403,  403, 403, 403, OK,  403, 403, 403,  OK),
    "survey_answer": (401, 403, 403, 403, 403, 403, 403, OK,  403, 403, 403,  OK),
    "action_manage": (401, 403, 403, 403, OK,  404, 403, OK,  403, OK,  403,  OK),
    "action_work": (401, OK,  404,  404,  OK,  404, 403, OK,  403, OK,  403,  OK),
    # 客户关怀: reminders and campaigns for the staff who serve customers; {cc} the service
    # department's campaign, {cg} its target of rep_a's customer
    "care":       (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "campaign_manage": (401, 403, 403, 403, OK, OK,  403, OK,  403, OK,  403,  OK),
    "care_record": (401, OK,  404,  404,  OK,  404, 403, OK,  403, OK,  403,  OK),
    # 知识管理: everybody but the system administrator reads, the managers write; {ka} an article
    "knowledge":  (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   OK),
    "knowledge_manage": (401, 403, 403, 403, OK, OK, 403, OK,  403, OK,  403,  403),
    # 产品与订单 (issue 11): everyone but the system administrator reads the catalogue; managers,
    # directors and the GM keep it. An order is its customer's ({oc}: rep_a's in 销售一部, like
    # x); the data administrator and service staff read orders, change none; only the GM signs;
    # the five reviewing departments are roles no persona holds ({so} a draft, {sg} reviewed and
    # waiting for the GM's signature)
    "products":   (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  OK,   OK),
    "product_manage": (401, 403, 403, 403, OK, OK,  403, OK,  403, OK,  403,  403),
    "orders":     (401, OK,   OK,   OK,   OK,  OK,  OK,  OK,  403, OK,  403,  OK),
    "order_create": (401, OK,  422,  422,  OK,  422, 403, OK,  403, OK,  403,  403),
    "order_change": (401, OK,  404,  404,  OK,  404, 403, OK,  403, OK,  403,  403),
    "order_state": (401, 409,  404,  404,  409, 404, 403, 409, 403, 409, 403,  403),
    "order_review": (401, 403, 403,  403,  403, 403, 403, 403, 403, 403, 403,  403),
    "order_sign": (401, 403,   403,  403,  403, 403, 403, OK,  403, 403, 403,  403),
    "licence_create": (401, OK, 422,  422,  OK,  422, OK,  OK,  403, OK,  403,  403),
}

# endpoint: (method, path, body, success status, profile); {x} {ct} {gone} {tok} filled in,
# and "{rep_a}" in a body becomes rep_a's id.
ENDPOINTS: dict[str, tuple[str, str, Any, int, str]] = {
    "me":               ("GET",    "me",                          None, 200, "signed_in"),
    "token_revoke":     ("DELETE", "auth/token",                  None, 204, "signed_in"),
    "token_list":       ("GET",    "auth/tokens",                 None, 200, "signed_in"),
    "token_revoke_id":  ("DELETE", "auth/tokens/{tok}",           None, 204, "signed_in"),
    "tags":             ("GET",    "tags",                        None, 200, "customers"),
    "sources":          ("GET",    "sources",                     None, 200, "signed_in"),
    "customer_list":    ("GET",    "customers",                   None, 200, "customers"),
    "customer_count":   ("GET",    "customers/count",             None, 200, "customers"),
    "customer_bulk":    ("POST",   "customers/bulk/tag", {"tag": "VIP", "ids": ["{x}"]},
                                                                  200, "bulk"),
    "customer_bulk_transfer": ("POST", "customers/bulk/transfer",
                         {"owner": "{rep_a}", "ids": ["{x}"]},   200, "bulk_assign"),
    "customer_bulk_grade": ("POST", "customers/bulk/grade", {"grade": "H", "ids": ["{x}"]},
                                                                  200, "bulk"),
    "customer_views":   ("GET",    "customer-views",              None, 200, "customers"),
    "customer_view_create": ("POST", "customer-views", {"name": "H级", "params": {"grade": "H"}},
                                                                  201, "customers"),
    "customer_view_update": ("PATCH", "customer-views/{sv}", {"name": "改名"}, 200, "own_view"),
    "customer_view_delete": ("DELETE", "customer-views/{sv}",     None, 204, "own_view"),
    "customer_columns": ("GET",    "customer-columns",            None, 200, "customers"),
    "customer_columns_put": ("PUT", "customer-columns", {"columns": ["grade"]}, 200, "customers"),
    "customer_create":  ("POST",   "customers",
                         {"name": "新客户", "phone": "13700000001"},     201, "create"),
    "customer_register": ("POST",  "customers",
                         {"name": "来店客户", "phone": "13700000002", "owner": "{rep_a}"},
                                                                        201, "register"),
    "recycle_bin":      ("GET",    "customers?deleted=true",      None, 200, "recycle_bin"),
    "customer_restore": ("POST",   "customers/{gone}/restore",    None, 200, "recycle_bin"),
    "customer_detail":  ("GET",    "customers/{x}",               None, 200, "read"),
    "customer_update":  ("PATCH",  "customers/{x}", {"version": 1, "city": "杭州"}, 200, "change"),
    "customer_delete":  ("DELETE", "customers/{x}",               None, 204, "delete"),
    "customer_history": ("GET",    "customers/{x}/history",       None, 200, "read"),
    "contact_list":     ("GET",    "customers/{x}/contacts",      None, 200, "read"),
    "contact_create":   ("POST",   "customers/{x}/contacts",
                         {"name": "刘总", "role": "chairman"},            201, "change"),
    "contact_update":   ("PATCH",  "customers/{x}/contacts/{ct}",
                         {"hobbies": "钓鱼"},                             200, "change"),
    "contact_delete":   ("DELETE", "customers/{x}/contacts/{ct}", None, 204, "change"),
    # the workday (issue 3)
    "followup_list":    ("GET",    "customers/{x}/followups",     None, 200, "read"),
    "followup_record":  ("POST",   "customers/{x}/followups",
                         {"kind": "call", "content": "电话沟通报价"},      201, "followup"),
    "plan_list":        ("GET",    "customers/{x}/plans",         None, 200, "read"),
    "plan_create":      ("POST",   "customers/{x}/plans",
                         {"method": "visit", "planned_at": "2099-01-05T10:00:00+08:00"},
                                                                        201, "plan"),
    "plan_update":      ("PATCH",  "plans/{pl}",
                         {"version": 1, "content": "改为上门"},           200, "plan"),
    "plan_cancel":      ("POST",   "plans/{pl}/cancel",           {},   200, "plan"),
    "plans_of_day":     ("GET",    "plans",                       None, 200, "plans"),
    "timeline":         ("GET",    "customers/{x}/timeline",      None, 200, "read"),
    "transition":       ("POST",   "customers/{x}/transition",
                         {"version": 1, "to": "intention", "grade": "H"}, 200, "change"),
    "attachment":       ("GET",    "attachments/{at}",            None, 200, "read"),
    "attach":           ("POST",   "followups/{fu}/attachments",  FILES, 201, "followup"),
    "followup_comment": ("POST",   "followups/{fu}/comment", {"comment": "继续跟进"},
                                                                        200, "comment"),
    "defeat_comment":   ("POST",   "defeats/{df}/comment",
                         {"comment": "价格让步不足"},                    200, "defeat"),
    "defeat_reasons":   ("GET",    "defeat-reasons",              None, 200, "customers"),
    "competitors":      ("GET",    "competitors",                 None, 200, "customers"),
    "grade_suggestion": ("GET",    "grade-suggestion?expected_purchase_on=2099-01-01",
                                                                  None, 200, "customers"),
    "due":              ("GET",    "due?which=overdue",           None, 200, "customers"),
    "today":            ("GET",    "today",                       None, 200, "customers"),
    "grades":           ("GET",    "settings/grades",             None, 200, "customers"),
    "grades_update":    ("PUT",    "settings/grades",
                         {"grades": [{"grade": "H", "cadence_days": 3}]}, 200, "settings"),
    "lifecycle":        ("GET",    "settings/lifecycle",          None, 200, "customers"),
    "lifecycle_update": ("PUT",    "settings/lifecycle",
                         {"missed_grace_hours": 12, "callback_days": [1, 7]}, 200, "settings"),
    "notifications":    ("GET",    "notifications",               None, 200, "signed_in"),
    "notifications_read": ("POST", "notifications/read",          {},   200, "signed_in"),
    "calendar":         ("GET",    "calendar",                    None, 200, "plans"),
    "calendar_reset":   ("POST",   "calendar/reset",              None, 200, "plans"),
    "calendar_ics":     ("GET",    "calendar/{feed}.ics",         None, 200, "feed"),
    # the reports (issue 3, section 7); which rows each sees: crm/api/tests/test_reports.py
    "report_daily":     ("GET",    "reports/daily",               None, 200, "reports"),
    "report_daily_xlsx": ("GET",   "reports/daily.xlsx",          None, 200, "reports"),
    "report_contacts":  ("GET",    "reports/contact-status",      None, 200, "reports"),
    "report_contacts_xlsx": ("GET", "reports/contact-status.xlsx", None, 200, "reports"),
    "report_defeats":   ("GET",    "reports/defeats",             None, 200, "reports"),
    "report_defeats_xlsx": ("GET", "reports/defeats.xlsx",        None, 200, "reports"),
    # roles and approvals (issue 6): {ap} is the system administrator's request to make rep_b
    # a manager, which only the general manager may decide
    "actions":          ("GET",    "roles/actions",               None, 200, "roles"),
    "role_list":        ("GET",    "roles",                       None, 200, "roles"),
    "role_create":      ("POST",   "roles", {"code": "trainee", "name": "实习顾问"}, 201, "roles"),
    "role_update":      ("PUT",    "roles/{role}",
                         {"version": 1, "name": "实习", "grants": {}},        200, "roles"),
    "role_delete":      ("DELETE", "roles/{role}",                None, 204, "roles"),
    "approvals":        ("GET",    "approvals",                   None, 200, "signed_in"),
    "approval_decide":  ("POST",   "approvals/{ap}/decide", {"approve": False}, 200, "approve"),
    "approval_detail":  ("GET",    "approvals/{ap}",              None, 200, "approval_read"),
    "customer_master":  ("PATCH",  "customers/{x}",
                         {"version": 1, "phone": "13977778888", "change_reason": "客户换号"},
                                                                        200, "change_master"),
    # the public pool (issue 8, scope 5); the rules themselves: crm/pool/tests
    "pools":            ("GET",    "pools",                       None, 200, "pool"),
    "pool_create":      ("POST",   "pools", {"name": "新公海", "department": "{own_dept}"},
                                                                        201, "pool_manage"),
    "pool_get":         ("GET",    "pools/{pool}",                None, 200, "pool_read"),
    "pool_update":      ("PUT",    "pools/{pool}", {"name": "一部公海", "department": "{sales1}",
                                                    "members": ["{rep_a}"]}, 200, "pool_edit"),
    "pool_rule_add":    ("POST",   "pools/{pool}/rules", {"kind": "no_deal", "days": 90},
                                                                        201, "pool_edit"),
    "pool_rule_remove": ("DELETE", "pools/{pool}/rules/{rule}",   None, 204, "pool_edit"),
    "pool_customers":   ("GET",    "pools/customers",             None, 200, "pool"),
    "pool_returning":   ("GET",    "pools/returning",             None, 200, "pool"),
    "pool_claim":       ("POST",   "pools/claim", {"customers": ["{pc}"]}, 200, "pool_claim"),
    "pool_assign":      ("POST",   "pools/assign", {"customers": ["{pc}"], "owner": "{rep_a}"},
                                                                        200, "pool_assign"),
    "pool_lock":        ("PUT",    "pools/locks/{x}", {"reason": "集团客户"}, 200, "pool_lock"),
    "pool_unlock":      ("DELETE", "pools/locks/{x}",             None, 204, "pool_lock"),
    # 客户共享 (issue 8): {sh} shares x with the data administrator, who sees it anyway
    "share_list":       ("GET",    "customers/{x}/shares",        None, 200, "read"),
    "share_create":     ("POST",   "customers/{x}/shares",
                         {"user": "{data_admin}", "mode": "read_write", "until": "{soon}"},
                                                                        201, "share"),
    "share_delete":     ("DELETE", "customers/{x}/shares/{sh}",   None, 204, "share"),
    # the audit viewer (issue 6, section 4)
    "audit_events":     ("GET",    "audit-events?customer={x}",   None, 200, "audit"),
    # 老带新 (issue 8, scope 7): {old} is rep_a's retained customer holding card {card}, x was
    # brought by {old} (link {ln}), {y} is rep_a's customer not linked yet
    "referral_cards":   ("GET",    "customers/{old}/referral-cards", None, 200, "referral_read"),
    "referral_card_issue": ("POST", "customers/{old}/referral-cards", {}, 201, "issue_card"),
    "referral_card_revoke": ("POST", "referral-cards/{card}/revoke", {}, 200, "issue_card"),
    "referral":         ("GET",    "customers/{x}/referral",      None, 200, "referral_read"),
    "referral_link":    ("POST",   "customers/{y}/referral", {"referrer_number": "{old}"},
                         201, "link"),
    "referral_confirm": ("POST",   "referral-links/{ln}/confirm", {"party": "customer"},
                         200, "link"),
    "referral_confirm_manager": ("POST", "referral-links/{ln}/confirm", {"party": "manager"},
                         200, "referral_confirm"),
    "referral_decline": ("POST",   "referral-links/{ln}/decline", {"reason": "非老客户介绍"},
                         200, "referral_confirm"),
    "referral_rewards": ("GET",    "customers/{old}/referral-rewards", None, 200, "referral_read"),
    "referral_reward_paid": ("POST", "referral-rewards/{rw}/paid", None, 200, "issue_card"),
    "referral_links":   ("GET",    "referral-links",              None, 200, "referral_list"),
    "referral_settings": ("GET",   "referrals/settings",          None, 200, "referral_list"),
    "referral_settings_put": ("PUT", "referrals/settings", {"card_valid_days": 90}, 200,
                         "settings"),
    "referral_ranking": ("GET",    "referrals/ranking",           None, 200, "referral_list"),
    "referral_ranking_xlsx": ("GET", "referrals/ranking.xlsx",    None, 200, "referral_list"),
    # the reception desk (issue 8); which rows each sees: crm/api/tests/test_reception.py
    "reception_lookup": ("POST",   "reception/lookup", {"query": "13800000000"}, 200, "lookup"),
    "reception_desks":  ("GET",    "reception/desks",             None, 200, "desks"),
    "reception_board":  ("GET",    "reception/desks/{dep}",       None, 200, "desk"),
    "reception_rotation": ("PUT",  "reception/desks/{dep}/rotation",
                         {"users": ["{rep_a}"]},                  200, "desk"),
    "reception_seat":   ("POST",   "reception/seats/{seat}/status",
                         {"status": "away"},                      200, "seat"),
    "reception_visit":  ("POST",   "reception/visits",
                         {"channel": "visit", "name": "新来客", "department": "{dep}"}, 201,
                         "register_visit"),
    "reception_visits": ("GET",    "reception/visits",            None, 200, "visits"),
    "reception_summary": ("GET",   "reception/summary",           None, 200, "visits"),
    "reception_summary_xlsx": ("GET", "reception/summary.xlsx",   None, 200, "reports"),
    "reception_record": ("GET",    "reception/record/{ra}",       None, 200, "record"),
    "complaints":       ("GET",    "reception/complaints",        None, 200, "records"),
    "complaint_file":   ("POST",   "reception/complaints",
                         {"kind": "grab", "accused": "{rep_x}", "description": "抢客"}, 201,
                         "complain"),
    "complaint_decide": ("POST",   "reception/complaints/{cp}/decision",
                         {"state": "dismissed", "finding": "不属实"}, 200, "decide"),
    # 密级 and 查阅登记 (issue 9)
    "customer_reveal":  ("POST",   "customers/{x}/reveal",  {"field": "id_number"}, 200, "reveal"),
    "access_log":       ("GET",    "access-log?customer={x}&kind=viewed", None, 200, "audit"),
    # 交接 and 数据核查 (issue 9, scopes 6 and 7); the rules themselves: crm/handover/tests,
    # crm/verification/tests
    "handover_list":    ("GET",    "handovers",                   None, 200, "handovers"),
    "handover_start":   ("POST",   "handovers", {"leaver": "{rep_x}", "kind": "transfer",
                         "receivers": ["{rep_c}"], "reason": "调岗"}, 201, "handover_start"),
    "handover_get":     ("GET",    "handovers/{ho}",              None, 200, "handover"),
    "handover_decide":  ("POST",   "handovers/{ho}/decision", {"approve": False}, 200,
                         "handover_sign"),
    "rounds":           ("GET",    "verification/rounds",         None, 200, "verification"),
    "round_open":       ("POST",   "verification/rounds",
                         {"title": "全部核查", "deadline": "{soon}"},
                                                                        201, "verification"),
    "round_get":        ("GET",    "verification/rounds/{vr}",    None, 200, "verification"),
    "round_items":      ("GET",    "verification/rounds/{vr}/items?state=pending", None, 200,
                         "verification"),
    "round_remind":     ("POST",   "verification/rounds/{vr}/remind", None, 200, "verification"),
    "round_close":      ("POST",   "verification/rounds/{vr}/close", None, 200, "verification"),
    "verify_items":     ("GET",    "verification/items",          None, 200, "verify"),
    "verify_confirm":   ("POST",   "verification/items/{vi}/confirm", {}, 200, "verify_item"),
    "verify_correct":   ("POST",   "verification/items/{vi}/correct",
                         {"version": 1, "data": {"city": "杭州"}}, 200, "verify_item"),
    "data_requests":    ("GET",    "data-requests",               None, 200, "data_requests"),
    "data_request_file": ("POST",  "data-requests", {"purpose": "展会邀请", "recipient": "会务公司",
                         "fields": ["name", "phone"], "customers": ["{x}"]}, 201,
                         "data_request_file"),
    "list_export_file": ("POST",   "list-exports", {"target": "orders", "purpose": "季度复盘",
                         "recipient": "财务部", "fields": ["number"], "filter": "{oc:customer}"},
                         201, "data_request_file"),
    "list_export_fields": ("GET",  "list-exports/fields",         None, 200, "data_requests"),
    "data_request_get": ("GET",    "data-requests/{dr}",          None, 200, "data_request"),
    "data_request_export": ("POST", "data-requests/{dr}/export",  None, 200,
                         "data_request_export"),
    "import_columns":   ("GET",    "imports/columns",             None, 200, "imports"),
    "import_template":  ("GET",    "imports/template",            None, 200, "imports"),
    "import_list":      ("GET",    "imports",                     None, 200, "imports"),
    "import_upload":    ("POST",   "imports",                     XLSX, 201, "imports"),
    "import_get":       ("GET",    "imports/{im}",                None, 200, "import"),
    "import_configure": ("PUT",    "imports/{im}/mapping", {"duplicates": "update"}, 200,
                         "import"),
    "import_start":     ("POST",   "imports/{im}/start",          None, 202, "import"),
    "import_progress":  ("GET",    "imports/{im}/progress",       None, 200, "import"),
    "import_cancel":    ("POST",   "imports/{im}/cancel",         None, 200, "import"),
    "import_errors":    ("GET",    "imports/{imd}/errors",        None, 200, "import"),
    "import_undo":      ("POST",   "imports/{imd}/undo",          None, 200, "import"),
    "import_mappings":  ("GET",    "import-mappings",             None, 200, "imports"),
    "import_mapping_save": ("POST", "import-mappings", {"job": "{im}", "name": "展会名单"},
                         201, "import"),
    "questionnaires":   ("GET",    "questionnaires",              None, 200, "forms"),
    "questionnaire_create": ("POST", "questionnaires", {"name": "回访问卷"}, 201, "form_manage"),
    "questionnaire_get": ("GET",   "questionnaires/{qf}",         None, 200, "forms"),
    "questionnaire_update": ("PATCH", "questionnaires/{qf}", {"name": "购房问卷（新）"}, 200,
                         "form_manage"),
    "questionnaire_section": ("POST", "questionnaires/{qf}/sections", {"title": "成交过程"}, 201,
                         "form_manage"),
    "questionnaire_question": ("POST", "questionnaires/{qf}/questions",
                         {"kind": "text", "label": "备注"}, 201, "form_manage"),
    "questionnaire_question_update": ("PATCH", "questionnaires/{qf}/questions/{qq}",
                         {"label": "年龄（周岁）"}, 200, "form_manage"),
    "questionnaire_question_delete": ("DELETE", "questionnaires/{qf}/questions/{qq}", None, 204,
                         "form_manage"),
    "questionnaire_publish": ("POST", "questionnaires/{qf}/publish", None, 200, "form_manage"),
    "questionnaire_responses": ("GET", "questionnaires/{qf}/responses", None, 200, "forms"),
    "questionnaire_analysis": ("GET", "questionnaires/{qf}/analysis", None, 200, "forms"),
    "questionnaire_fill": ("PUT",  "customers/{x}/questionnaires/{qf}", {"answers": "{qq:30}"},
                         200, "form_fill"),
    "questionnaire_response": ("GET", "customers/{x}/questionnaires/{qf}", None, 200,
                         "form_fill"),
    "vcard_import":     ("POST",   "vcard-imports",               VCF, 201, "vcard_import"),
    "pipelines":        ("GET",    "pipelines",                   None, 200, "opp_list"),
    "pipeline_create":  ("POST",   "pipelines", {"name": "新流程",
                         "stages": [{"name": "询价", "probability": 20}]}, 201, "pipeline_manage"),
    "pipeline_update":  ("PUT",    "pipelines/{pp}", {"version": 1, "name": "项目流程",
                         "stages": [{"name": "立项", "probability": 30}]}, 200, "pipeline_manage"),
    "pipeline_install": ("POST",   "pipelines/install", {"industry": "trade"}, 201,
                         "pipeline_manage"),
    "lost_reasons":     ("GET",    "lost-reasons",                None, 200, "opp_list"),
    "lost_reasons_put": ("PUT",    "lost-reasons", {"reasons": [{"name": "价格"}]}, 200,
                         "pipeline_manage"),
    "opportunities":    ("GET",    "opportunities",               None, 200, "opp_list"),
    "opportunity_create": ("POST", "opportunities", {"name": "新机会", "customer": "{x}",
                         "amount": "1000"},                        201, "opp_create"),
    "opportunity_get":  ("GET",    "opportunities/{op}",          None, 200, "opp_read"),
    "opportunity_update": ("PATCH", "opportunities/{op}", {"version": 1, "name": "二期"}, 200,
                         "opp_change"),
    "opportunity_move": ("POST",   "opportunities/{op}/move", {"version": 1, "stage": "{st}"},
                         200, "opp_change"),
    "opportunity_followups": ("GET", "opportunities/{op}/followups", None, 200, "opp_read"),
    "opportunity_follow_up": ("POST", "opportunities/{op}/followups",
                         {"kind": "call", "content": "沟通报价"}, 201, "opp_change"),
    "opportunity_win":  ("POST",   "opportunities/{op}/win",  {"version": 1}, 200, "opp_change"),
    "opportunity_lose": ("POST",   "opportunities/{op}/lose", {"version": 1, "reason": "{lr}"},
                         200, "opp_change"),
    "opportunity_reopen": ("POST", "opportunities/{opl}/reopen", {"version": 2}, 200,
                         "opp_change"),
    "sales_board":      ("GET",    "sales/board",                 None, 200, "opp_list"),
    "sales_forecast":   ("GET",    "sales/forecast",              None, 200, "opp_list"),
    "sales_funnel":     ("GET",    "sales/funnel",                None, 200, "opp_list"),
    "sales_reasons":    ("GET",    "sales/reasons",               None, 200, "opp_list"),
    "sales_forecast_xlsx": ("GET", "sales/forecast.xlsx",         None, 200, "opp_list"),
    "sales_funnel_xlsx": ("GET",   "sales/funnel.xlsx",           None, 200, "opp_list"),
    "sales_reasons_xlsx": ("GET",  "sales/reasons.xlsx",          None, 200, "opp_list"),
    "survey_rounds":    ("GET",    "survey-rounds",               None, 200, "surveys"),
    "survey_draw":      ("POST",   "survey-rounds", {"month": "{this_month}", "size": 1}, 201,
                         "survey_draw"),
    "survey_round":     ("GET",    "survey-rounds/{sr}",          None, 200, "surveys"),
    "survey_calls":     ("GET",    "survey-rounds/{sr}/calls",    None, 200, "surveys"),
    "survey_call":      ("GET",    "survey-calls/{sc}",           None, 200, "survey_call"),
    "survey_answer":    ("POST",   "survey-calls/{sc}/answer", {"outcome": "unreachable"}, 200,
                         "survey_answer"),
    "survey_link":      ("POST",   "survey-calls/{sc}/link",      None, 201, "survey_answer"),
    "survey_action":    ("POST",   "survey-calls/{sc}/actions",
                         {"problem": "交车延迟", "responsible": "{rep_a}", "due_on": "{soon}"},
                                                                  201, "action_manage"),
    "care_actions":     ("GET",    "care-actions",                None, 200, "surveys"),
    "care_action":      ("GET",    "care-actions/{ca}",           None, 200, "survey_call"),
    "care_action_done": ("POST",   "care-actions/{ca}/done", {"result": "已道歉"}, 200,
                         "action_work"),
    "care_action_close": ("POST",  "care-actions/{cd}/close", {"accept": True}, 200,
                         "action_manage"),
    "survey_performance": ("GET",  "survey-performance?month=2026-11", None, 200, "surveys"),
    "care_birthdays":   ("GET",    "care/birthdays",              None, 200, "care"),
    "care_anniversaries": ("GET",  "care/anniversaries?days=60",  None, 200, "care"),
    "care_birthday_set": ("PUT",   "customers/{x}/birthday", {"month": 5, "day": 1}, 200,
                         "change"),
    "care_campaigns":   ("GET",    "care-campaigns",              None, 200, "care"),
    "care_campaign_start": ("POST", "care-campaigns", {"title": "新年问候", "kind": "holiday"},
                                                                  201, "campaign_manage"),
    "care_campaign":    ("GET",    "care-campaigns/{cc}",         None, 200, "care"),
    "care_targets":     ("GET",    "care-campaigns/{cc}/targets", None, 200, "care"),
    "care_target":      ("PUT",    "care-campaigns/{cc}/targets/{cg}",
                         {"state": "responded", "note": "周六来店"}, 200, "care_record"),
    "care_campaign_close": ("POST", "care-campaigns/{cc}/close",  None, 200, "campaign_manage"),
    "knowledge_categories": ("GET", "knowledge/categories",       None, 200, "knowledge"),
    "knowledge_category_create": ("POST", "knowledge/categories", {"name": "售后"}, 201,
                         "knowledge_manage"),
    "knowledge_articles": ("GET",  "knowledge/articles?q=定金",    None, 200, "knowledge"),
    "knowledge_article_create": ("POST", "knowledge/articles",
                         {"title": "首保", "answer": "5000 公里"}, 201, "knowledge_manage"),
    "knowledge_article": ("GET",   "knowledge/articles/{ka}",     None, 200, "knowledge"),
    "knowledge_article_update": ("PATCH", "knowledge/articles/{ka}", {"answer": "合同签订前可退"},
                                                                  200, "knowledge_manage"),
    "products":         ("GET",    "products?q=监护",             None, 200, "products"),
    "product_create":   ("POST",   "products", {"code": "P-9", "name": "呼吸机", "unit": "台"},
                                                                  201, "product_manage"),
    "product_get":      ("GET",    "products/{pr}",               None, 200, "products"),
    "product_update":   ("PATCH",  "products/{pr}", {"version": 1, "name": "监护仪（新）"},
                                                                  200, "product_manage"),
    "product_categories": ("GET",  "product-categories",          None, 200, "products"),
    "product_category_create": ("POST", "product-categories", {"name": "耗材"}, 201,
                         "product_manage"),
    "orders":           ("GET",    "orders?state=draft",          None, 200, "orders"),
    "order_create":     ("POST",   "orders", {"customer": "{oc}", "lines": "{lines}"}, 201,
                         "order_create"),
    "purchase_record":  ("POST",   "customers/{oc}/purchases", {"order_date": "{today}",
                         "product": "{pr}", "quantity": 1},       201, "order_change"),
    "order_get":        ("GET",    "orders/{so}",                 None, 200, "read"),
    "order_update":     ("PATCH",  "orders/{so}", {"version": 1, "notes": "加急"}, 200,
                         "order_change"),
    "order_submit":     ("POST",   "orders/{so}/submit", {"version": 1, "stated_quality": "合格",
                         "stated_delivery": "30 天"},             200, "order_change"),
    "order_review":     ("POST",   "orders/{sg}/reviews/quality", {"approve": True}, 200,
                         "order_review"),
    "order_sign":       ("POST",   "orders/{sg}/sign", {"approve": True}, 200, "order_sign"),
    "order_signature_request": ("POST", "orders/{sg}/signature-request", {"version": "{sgv}"},
                                                                  200, "order_state"),
    "order_deliver":    ("POST",   "orders/{so}/deliver", {"version": 1}, 200, "order_state"),
    "order_close":      ("POST",   "orders/{so}/close", {"version": 1}, 200, "order_state"),
    "order_cancel":     ("POST",   "orders/{so}/cancel", {"version": 1, "reason": "客户取消"},
                                                                  200, "order_change"),
    "order_attach":     ("POST",   "orders/{so}/files?kind=contract", FILES, 201,
                         "order_change"),
    "order_file":       ("GET",    "orders/{so}/files/{of}",      None, 200, "read"),
    "order_pdf":        ("GET",    "orders/{so}/pdf",             None, 200, "read"),
    "order_plan":       ("PUT",    "orders/{so}/payment-plan", {"instalments": []}, 200,
                         "order_change"),
    "order_receipt":    ("POST",   "orders/{so}/receipts", {"received_on": "{today}",
                         "amount": "100"},                        201, "order_state"),
    "order_property":   ("POST",   "orders/{so}/property-steps", {"stage": "subscription",
                         "done_on": "{today}"},                   201, "order_change"),
    "order_reviews":    ("GET",    "order-reviews",               None, 200, "orders"),
    "payments_overdue": ("GET",    "payments/overdue",            None, 200, "orders"),
    "payments_monthly": ("GET",    "payments/monthly?year=2026",  None, 200, "orders"),
    "sales_statistics": ("GET",    "sales/statistics?by=rep",     None, 200, "reports"),
    "sales_statistics_xlsx": ("GET", "sales/statistics.xlsx",     None, 200, "reports"),
    "sales_statistics_pdf": ("GET", "sales/statistics.pdf?by=product", None, 200, "reports"),
    "licences":         ("GET",    "medical-licences?expiring=true", None, 200, "customers"),
    "licence_create":   ("POST",   "medical-licences", {"customer": "{xid}", "number": "L-2",
                         "classes": ["III"], "expires_on": "2030-01-01"}, 201, "licence_create"),
    "licence_get":      ("GET",    "medical-licences/{lc}",       None, 200, "read"),
    "licence_update":   ("PATCH",  "medical-licences/{lc}", {"version": 1, "number": "L-1b"},
                                                                  200, "change"),
    "licence_delete":   ("DELETE", "medical-licences/{lc}",       None, 204, "change"),
    "complaint_list":   ("GET",    "service/complaints?state=registered", None, 200, "complaints"),
    "complaint_queue":  ("GET",    "service/complaints/queue",    None, 200, "complaints"),
    "complaint_overdue": ("GET",   "service/complaints/overdue",  None, 200, "complaints"),
    "complaint_register": ("POST", "service/complaints", {"complainant": "王总",
                         "category": "service", "description": "态度差", "customer": "{x}"}, 201,
                         "complaint_register"),
    "complaint_get":    ("GET",    "service/complaints/{sk}",     None, 200, "complaint"),
    "complaint_accept": ("POST",   "service/complaints/{sk}/accept", {}, 200, "complaint_handle"),
    "complaint_assign": ("POST",   "service/complaints/{sk}/assign", {"handler": "{service_staff}"},
                         200, "complaint_handle"),
    "complaint_start":  ("POST",   "service/complaints/{sk}/start", None, 200,
                         "complaint_conflict"),
    "complaint_note":   ("POST",   "service/complaints/{sk}/notes", {"text": "已联系客户"}, 201,
                         "complaint_assist"),
    "complaint_collaborator": ("POST", "service/complaints/{sk}/collaborators",
                         {"user": "{rep_a}", "task": "核实"}, 201, "complaint_handle"),
    "complaint_resolve": ("POST",  "service/complaints/{sk}/resolve", {"resolution": "已处理"}, 200,
                         "complaint_conflict"),
    "complaint_close":  ("POST",   "service/complaints/{sk}/close", {}, 200, "complaint_conflict"),
    "complaint_reopen": ("POST",   "service/complaints/{sk}/reopen", {"reason": "不满意"}, 200,
                         "complaint_conflict"),
    "complaint_attach": ("POST",   "service/complaints/{sk}/attachments", FILES, 201,
                         "complaint_assist"),
    "complaint_cite":   ("POST",   "service/complaints/{sk}/articles", {"article": "{ku}"}, 201,
                         "complaint_assist"),
    "complaint_uncite": ("DELETE", "service/complaints/{sk}/articles/{kc}", None, 204,
                         "complaint_assist"),
    "complaint_attachment": ("GET", "service/attachments/{sa}",   None, 200, "complaint"),
    "complaint_report": ("GET",    "service/complaints/report?month=2026-11", None, 200,
                         "complaint_report"),
    "complaint_report_xlsx": ("GET", "service/complaints/report.xlsx", None, 200,
                         "complaint_report"),
    "sla_list":         ("GET",    "service/sla",                 None, 200, "complaints"),
    "sla_update":       ("PUT",    "service/sla/normal", {"response_hours": 2, "resolve_hours": 16,
                         "gm_after_hours": 8}, 200, "sla_manage"),
    "calendar_list":    ("GET",    "service/calendar?year=2026",  None, 200, "complaints"),
    "calendar_set":     ("PUT",    "service/calendar/2026-12-31",
                         {"kind": "holiday", "name": "年终盘点"}, 200, "sla_manage"),
    "calendar_delete":  ("DELETE", "service/calendar/2026-10-01", None, 204, "sla_manage"),
    "service_records":  ("GET",    "customers/{x}/service-records", None, 200, "read"),
    "service_record_add": ("POST", "customers/{x}/service-records",
                         {"served_on": "2026-01-05", "content": "上门保养", "satisfaction": 5}, 201,
                         "complaint_assist"),
    "public_form":      ("GET",    "public/complaints/form",      None, 200, "public"),
    "public_submit":    ("POST",   "public/complaints", {"complainant": "李女士",
                         "phone": "13800138000", "category": "product", "description": "漏水",
                         "started": "1700000000:unsigned"}, 201, "public_refused"),
    "public_lookup":    ("POST",   "public/complaints/lookup", {"number": "{sc_number}",
                         "phone": "13911112222"}, 200, "public"),
}
# fmt: on


WRITES = {"POST", "PATCH", "PUT", "DELETE"}
CHANGES_X = {"rep_a", "manager", "data_admin", "gm", "director"}  # the "change" profile


@pytest.fixture
def world(org):
    x = make_customer(org.rep_a, name="星河机械有限公司", kind="organization", city="宁波")
    ct = services.contact_create(
        actor=org.rep_a, customer_id=x.pk, data={"name": "王总", "role": "general_manager"}
    )
    gone = make_customer(org.rep_a, name="已删除客户")
    services.customer_delete(actor=org.rep_a, customer_id=gone.pk)
    accounts.token_issue(actor=org.rep_a, name="rep_a's script")
    token = accounts_selectors.token_list(actor=org.rep_a).get().pk
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
    feed = activities.calendar_feed(actor=org.rep_a)
    accounts.role_create(actor=org.sysadmin, code="temp", name="临时角色")
    request = accounts.user_set_role(actor=org.sysadmin, user_id=org.rep_b.pk, role="manager")
    assert request is not None
    old = make_customer(org.rep_a, name="老业主", category="retained")
    card = referrals.card_issue(actor=org.rep_a, customer_id=old.pk)
    link = referrals.referral_link_create(
        actor=org.rep_a, customer_id=x.pk, data={"referrer_number": old.number}
    )
    reception.rotation_set(actor=org.manager, data={"users": [org.rep_a.pk, org.rep_b.pk]})
    rep_x = accounts.user_create(
        actor=None,
        username="rep_x",
        password="x",
        role="rep",
        department=org.sales2,
        full_name="钱小新",
        validate_password=False,
    )
    complaint = reception.complaint_file(
        actor=org.rep_b, data={"kind": "neglect", "accused": org.rep_a.pk, "description": "怠慢"}
    )
    return distinct_world(
        _pool_world(org),
        _governance_world(org),
        _import_world(org),
        _questionnaire_world(org),
        _sales_world(org),
        _care_world(org, today=old.deal_on),
        _order_world(org, x),
        _service_world(org, x),
        {
            "rw": rewarded(referrer=old, rep=org.rep_a, manager=org.manager),
            "old": old,
            "card": card,
            "ln": link,
            "y": make_customer(org.rep_a, name="待关联客户"),
            "seat": Seat.objects.get(user=org.rep_a).pk,
            "rep_x": rep_x,
            "complaint": complaint.pk,
            "role": "temp",
            "approval": request.pk,
            "x": x,
            "dr": retrieval_services.request_file(
                actor=org.rep_a,
                data={
                    "purpose": "年会邀请",
                    "recipient": "会务公司",
                    "fields": ["name"],
                    "customers": [x.pk],
                },
            ),
            "ct": ct,
            "gone": gone,
            "token": token,
            "plan": plan,
            "defeat": event.defeat,
            "feed": feed.token,
            "followup": call,
            "attachment": call.attachments.get(),
            "sv": listviews.view_save(actor=org.rep_a, name="我的", params={}, columns=[]),
            "sh": shares.customer_share(
                actor=org.rep_a,
                customer_id=x.pk,
                data={"user": org.data_admin.pk, "until": _soon()},
            ),
        },
    )


def _service_world(org, x):
    from crm.service import services as service_services

    complaint = service_services.complaint_register(
        actor=org.service_staff,
        data={
            "complainant": "王总",
            "phone": "13911112222",
            "category": "product",
            "description": "设备异响",
            "customer": x.pk,
        },
    )
    attachment = service_services.complaint_attach(
        actor=org.service_staff, complaint_id=complaint.pk, files=[tiny_png()]
    )[0]
    from crm.knowledge import services as knowledge_services

    cited = knowledge_services.article_create(
        actor=org.manager, data={"title": "设备异响怎么办？", "answer": "检查地脚螺栓。"}
    )
    service_services.complaint_link_article(
        actor=org.service_staff, complaint_id=complaint.pk, article_id=cited.pk
    )
    uncited = knowledge_services.article_create(
        actor=org.manager, data={"title": "保修期多久？", "answer": "整机一年。"}
    )
    return {"sk": complaint, "sa": attachment, "kc": cited.pk, "ku": uncited.pk}


def _pool_world(org):
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
    return {"pool": pool, "rule": rule, "pc": waiting}


def _governance_world(org):
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
        data={"title": "一部核查", "deadline": _soon(), "department": org.sales1.pk},
    )
    return {
        "ho": handover.pk,
        "vr": round_.pk,
        "vi": VerificationItem.objects.get(round=round_, customer__name="星河机械有限公司").pk,
    }


def _spreadsheet():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm.imports.tests.files import xlsx

    data = xlsx([["姓名", "手机"], ["导入客户", "13600000001"]])
    return SimpleUploadedFile("客户.xlsx", data, content_type="application/octet-stream")


def _import_world(org):
    from crm.imports import services as import_services

    def upload():
        f = _spreadsheet()
        return import_services.import_upload(actor=org.manager, stream=f, name=f.name, size=f.size)

    ran = upload()
    import_services.import_start(actor=org.manager, job_id=ran.pk)
    import_services.import_run(job_id=ran.pk)
    return {"im": upload(), "imd": ran}


def _questionnaire_world(org):
    survey = questionnaire_services.form_create(actor=org.manager, data={"name": "购房问卷"})
    age = questionnaire_services.question_add(
        actor=org.manager, form_id=survey.pk, data={"kind": "number", "label": "年龄"}
    )
    questionnaire_services.form_publish(actor=org.manager, form_id=survey.pk)
    questionnaire_services.question_add(  # a draft waits to be published
        actor=org.manager, form_id=survey.pk, data={"kind": "yesno", "label": "是否首次置业"}
    )
    return {"qf": survey.pk, "qq": age.pk}


def _sales_world(org):
    from crm.sales import selectors as sales_selectors
    from crm.sales import services as sales_services

    buyer = make_customer(org.rep_a, name="机会客户", category="intention", grade="B")
    default = sales_selectors.pipeline_get(None)
    assert default is not None
    stage = sales_selectors.stages_of(default)[1]
    reason = sales_selectors.lost_reasons()[0]
    op = sales_services.opportunity_create(
        actor=org.rep_a, data={"name": "设备采购", "customer": buyer.pk, "amount": "50000"}
    )
    lost = sales_services.opportunity_create(
        actor=org.rep_a, data={"name": "备件采购", "customer": buyer.pk}
    )
    sales_services.opportunity_lose(
        actor=org.rep_a, opportunity_id=lost.pk, data={"version": 1, "reason": reason.pk}
    )
    pipeline = sales_services.pipeline_create(
        actor=org.gm, data={"name": "项目流程", "stages": [{"name": "立项", "probability": 20}]}
    )
    return {"op": op.pk, "opl": lost.pk, "pp": pipeline.pk, "st": stage.pk, "lr": reason.pk}


def _care_world(org, *, today):
    from crm.care import caring
    from crm.care import services as care_services
    from crm.knowledge import services as knowledge_services

    # the month before the older retained customer's deal, read from it: a world built across
    # midnight of a month's last day would otherwise put both in the month drawn
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    bought = make_customer(org.rep_a, name="上月车主", category="retained", deal_on=last_month)
    make_customer(org.rep_c, name="二部客户")  # the other department has a customer too
    survey = care_services.round_draw(
        actor=org.service_staff, data={"month": f"{last_month:%Y-%m}", "size": 1}
    )
    call = survey.calls.get(customer=bought)

    def action(problem):
        return care_services.action_open(
            actor=org.service_staff,
            call_id=call.pk,
            data={"problem": problem, "responsible": org.rep_a.pk, "due_on": _soon()},
        )

    reported = action("发票未开")
    care_services.action_done(actor=org.rep_a, action_id=reported.pk, data={"result": "已开"})
    campaign = caring.campaign_start(
        actor=org.service_staff, data={"title": "冬季检测", "filter": {"category": "retained"}}
    )
    article = knowledge_services.article_create(
        actor=org.manager, data={"title": "定金可以退吗？", "answer": "签订合同前可退。"}
    )
    return {
        "sr": survey.pk,
        "sc": call.pk,
        "ca": action("交车延迟").pk,
        "cd": reported.pk,
        "cc": campaign.pk,
        "cg": campaign.targets.get(customer=bought).pk,
        "ka": article.pk,
    }


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
    signing.refresh_from_db()
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


def _vcard() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:名片客户\r\nTEL:+44 20 7946 0958\r\nEND:VCARD\r\n"
    return SimpleUploadedFile("名片.vcf", card.encode(), content_type="text/vcard")


def _soon() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


# The endpoints in shards, each shard one test that builds the world once: built for every
# endpoint, the world (two seconds) was most of the matrix's time, and the matrix most of CI's.
SHARDS = 12


@pytest.mark.parametrize("shard", range(SHARDS))
def test_scope_matrix(org, call, world, subtests, shard):
    # given each endpoint of the shard and each persona in turn: every call runs in a savepoint
    # rolled back after it, so one call's write is not the next one's world (each persona's
    # token is issued first, outside the savepoints)
    for persona in PERSONAS[1:]:
        assert call(getattr(org, persona), "GET", "me").status_code in (200, 403)
    for endpoint in list(ENDPOINTS)[shard::SHARDS]:
        for persona, expected in zip(PERSONAS, PROFILES[ENDPOINTS[endpoint][4]], strict=True):
            with subtests.test(endpoint=endpoint, persona=persona), transaction.atomic():
                _cell(org, call, world, endpoint, persona, expected)
                transaction.set_rollback(True)


def _cell(org, call, world, endpoint, persona, expected):
    method, path, body, success, _profile = ENDPOINTS[endpoint]
    x, ct, gone = world["x"], world["ct"], world["gone"]
    path = path.format(
        x=x.pk,
        ct=ct.pk,
        gone=gone.pk,
        tok=world["token"],
        pl=world["plan"].pk,
        df=world["defeat"].pk,
        fu=world["followup"].pk,
        at=world["attachment"].pk,
        feed=world["feed"],
        role=world["role"],
        ap=world["approval"],
        sv=world["sv"].pk,
        old=world["old"].pk,
        card=world["card"].pk,
        ln=world["ln"].pk,
        y=world["y"].pk,
        rw=world["rw"].pk,
        pool=world["pool"].pk,
        rule=world["rule"].pk,
        sh=world["sh"].pk,
        dep=org.sales1.pk,
        seat=world["seat"],
        ra=org.rep_a.pk,
        cp=world["complaint"],
        ho=world["ho"],
        vr=world["vr"],
        vi=world["vi"],
        dr=world["dr"].pk,
        im=world["im"].pk,
        imd=world["imd"].pk,
        qf=world["qf"],
        qq=world["qq"],
        op=world["op"],
        opl=world["opl"],
        pp=world["pp"],
        sr=world["sr"],
        sc=world["sc"],
        ca=world["ca"],
        cd=world["cd"],
        cc=world["cc"],
        cg=world["cg"],
        ka=world["ka"],
        pr=world["pr"].pk,
        oc=world["oc"].pk,
        so=world["so"].pk,
        sg=world["sg"].pk,
        of=world["of"].pk,
        lc=world["lc"].pk,
        sk=world["sk"].pk,
        sa=world["sa"].pk,
        kc=world["kc"],
    )
    actor = None if persona == "anonymous" else getattr(org, persona)
    if isinstance(body, dict):
        marks = {
            "{rep_a}": org.rep_a.pk,
            "{dep}": org.sales1.pk,
            "{rep_x}": world["rep_x"].pk,
            "{old}": world["old"].number,
            "{data_admin}": org.data_admin.pk,
            "{soon}": _soon(),
            "{im}": world["im"].pk,
            "{x}": x.pk,
            "{st}": world["st"],
            "{lr}": world["lr"],
            "{this_month}": f"{timezone.localdate():%Y-%m}",
            "{oc}": world["oc"].pk,
            "{xid}": x.pk,
            "{sgv}": world["sg"].version,
            "{today}": timezone.localdate().isoformat(),
            "{lines}": [{"product": world["pr"].pk, "quantity": 1}],
            "{pr}": world["pr"].pk,
            "{service_staff}": org.service_staff.pk,
            "{sc_number}": world["sk"].number,
            "{ku}": world["ku"],
        }
        body = {k: marks.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
        if body.get("users") == ["{rep_a}"]:
            body["users"] = [org.rep_a.pk]
        if body.get("ids") == ["{x}"]:
            body["ids"] = [x.pk]
        if body.get("customers") == ["{pc}"]:
            body["customers"] = [world["pc"].pk]
        if body.get("customers") == ["{x}"]:
            body["customers"] = [x.pk]
        if body.get("receivers") == ["{rep_c}"]:
            body["receivers"] = [org.rep_c.pk]
        if body.get("members") == ["{rep_a}"]:
            body["members"] = [org.rep_a.pk]
        if body.get("filter") == "{oc:customer}":  # the orders of rep_a's customer oc
            body["filter"] = {"customer": world["oc"].pk}
        if body.get("answers") == "{qq:30}":
            body["answers"] = {str(world["qq"]): 30}
        if body.get("department") == "{sales1}":
            body["department"] = org.sales1.pk
        if body.get("department") == "{own_dept}":  # a manager's pool is their department's
            body["department"] = actor.department_id if actor else None

    # when it is called
    if body == FILES:
        response = call(actor, method, path, files=[tiny_png()])
    elif body == XLSX:
        response = call(actor, method, path, files={"file": _spreadsheet()})
    elif body == VCF:
        response = call(actor, method, path, files=[_vcard()])
    else:
        response = call(actor, method, path, body)

    # then the status is the table's, refusals follow the error contract and leak nothing
    want = success if expected == OK else expected
    assert response.status_code == want, response.content.decode()
    if want >= 400:
        error = response.json()["error"]
        codes = {
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            409: "state_conflict",
            422: "invalid",
        }
        assert error["code"] == codes[want]
        assert error["message"]
        assert x.name not in response.content.decode()
        assert "王总" not in response.content.decode()
    if endpoint == "customer_bulk" and want == 200:  # out of scope: refused, x unchanged
        outcome = response.json()
        assert outcome["done"] + outcome["refused"] == 1
        assert ("VIP" in x.tag_names) is (outcome["done"] == 1)
        assert (outcome["done"] == 1) is (persona in CHANGES_X)
    if want >= 400 and method in WRITES:
        x.refresh_from_db()
        gone.refresh_from_db()
        assert x.version == 1
        assert x.deleted_at is None
        assert x.city == "宁波"
        assert gone.deleted_at is not None
        assert [c.name for c in x.contacts.all()] == ["王总"]
        assert [(p.version, p.status) for p in Plan.objects.filter(customer=x)] == [(1, "planned")]
        assert not FollowUp.objects.filter(customer=x).exists()
        assert world["defeat"].manager_comment == ""
        assert FollowUp.objects.get(pk=world["followup"].pk).comment == ""
        assert [p.cadence_days for p in lifecycle.grade_policies()] == [7, 2, 7, 14, 30]
        assert lifecycle.lifecycle_settings().callback_days == "1,7,30,90"
        assert Customer.objects.get(pk=world["pc"].pk).owner_id is None
        assert [r.pk for r in ReturnRule.objects.filter(pool=world["pool"])] == [world["rule"].pk]
        assert not PoolLock.objects.exists()


def test_matrix_covers_every_endpoint_of_the_api():
    # Given the routes the API exposes, when compared with the matrix, none is left untested.
    from crm.api.api import api

    schema = api.get_openapi_schema()
    routes = {
        (method.upper(), path.removeprefix("/api/v1/"))
        for path, ops in schema["paths"].items()
        for method in ops
    }
    tested = {
        (
            m,
            p.split("?")[0]
            .replace("{x}", "{customer_id}")
            .replace("{oc}", "{customer_id}")
            .replace("{gone}", "{customer_id}")
            .replace("{ct}", "{contact_id}")
            .replace("{tok}", "{token_id}")
            .replace("{pl}", "{plan_id}")
            .replace("{df}", "{analysis_id}")
            .replace("{fu}", "{followup_id}")
            .replace("{at}", "{attachment_id}")
            .replace("{feed}", "{token}")
            .replace("{role}", "{code}")
            .replace("{ap}", "{request_id}")
            .replace("{sv}", "{view_id}")
            .replace("{old}", "{customer_id}")
            .replace("{y}", "{customer_id}")
            .replace("{card}", "{card_id}")
            .replace("{ln}", "{link_id}")
            .replace("{rw}", "{reward_id}")
            .replace("{pool}", "{pool_id}")
            .replace("{rule}", "{rule_id}")
            .replace("{sh}", "{share_id}")
            .replace("{dep}", "{department_id}")
            .replace("{seat}", "{seat_id}")
            .replace("{ra}", "{user_id}")
            .replace("{cp}", "{complaint_id}")
            .replace("{ho}", "{handover_id}")
            .replace("{vr}", "{round_id}")
            .replace("{vi}", "{item_id}")
            .replace("{dr}", "{request_id}")
            .replace("{im}", "{job_id}")
            .replace("{imd}", "{job_id}")
            .replace("{qf}", "{form_id}")
            .replace("{qq}", "{question_id}")
            .replace("customers/{x}/questionnaires", "customers/{customer_id}/questionnaires")
            .replace("{opl}", "{opportunity_id}")
            .replace("{op}", "{opportunity_id}")
            .replace("{pp}", "{pipeline_id}")
            .replace("{sr}", "{round_id}")
            .replace("{sc}", "{call_id}")
            .replace("{ca}", "{action_id}")
            .replace("{cd}", "{action_id}")
            .replace("{cc}", "{campaign_id}")
            .replace("{cg}", "{target_id}")
            .replace("{ka}", "{article_id}")
            .replace("customers/{x}/questionnaires", "customers/{customer_id}/questionnaires")
            .replace("{pr}", "{product_id}")
            .replace("/reviews/quality", "/reviews/{area}")
            .replace("{so}", "{order_id}")
            .replace("{sg}", "{order_id}")
            .replace("{of}", "{file_id}")
            .replace("{lc}", "{licence_id}")
            .replace("{sk}", "{complaint_id}")
            .replace("{sa}", "{attachment_id}")
            .replace("{kc}", "{article_id}")
            .replace("service/sla/normal", "service/sla/{severity}")
            .replace("service/calendar/2026-12-31", "service/calendar/{day}")
            .replace("service/calendar/2026-10-01", "service/calendar/{day}")
            .replace("customers/{x}/questionnaires", "customers/{customer_id}/questionnaires"),
        )
        for m, p, *_rest in ENDPOINTS.values()
    }
    untested = routes - tested - {("POST", "auth/token")}  # sign-in: tests in test_auth.py
    assert not untested


# --- constrained scopes see only their rows -----------------------------------------------------


@pytest.fixture
def book(org):
    return {
        "甲": make_customer(org.rep_a, name="甲方客户"),
        "乙": make_customer(org.rep_b, name="乙方客户"),
        "丙": make_customer(org.rep_c, name="丙方客户"),
    }


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("rep_a", ["甲方客户"]),
        ("rep_b", ["乙方客户"]),
        ("rep_c", ["丙方客户"]),
        ("manager", ["乙方客户", "甲方客户"]),
        ("manager2", ["丙方客户"]),
        ("data_admin", ["丙方客户", "乙方客户", "甲方客户"]),
        ("gm", ["丙方客户", "乙方客户", "甲方客户"]),
        ("director", ["丙方客户", "乙方客户", "甲方客户"]),
        ("service_staff", ["丙方客户", "乙方客户", "甲方客户"]),
    ],
)
def test_list_shows_only_rows_in_scope(org, call, book, persona, names):
    response = call(getattr(org, persona), "GET", "customers")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["items"]] == names


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("rep_a", ["甲方客户"]),
        ("manager", ["乙方客户", "甲方客户"]),
        ("manager2", ["丙方客户"]),
        ("gm", ["丙方客户", "乙方客户", "甲方客户"]),
    ],
)
def test_search_shows_only_rows_in_scope(org, call, book, persona, names):
    response = call(getattr(org, persona), "GET", "customers?q=方客户")
    assert [c["name"] for c in response.json()["items"]] == names


def test_filtering_by_another_reps_owner_id_reveals_nothing(org, call, book):
    response = call(org.rep_a, "GET", f"customers?owner={org.rep_c.pk}")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_recycle_bin_lists_deleted_customers_for_the_data_admin(org, call, world):
    response = call(org.data_admin, "GET", "customers?deleted=true")
    assert [c["name"] for c in response.json()["items"]] == ["已删除客户"]
    assert response.json()["items"][0]["deleted_at"] is not None


def test_restoring_a_live_customer_is_not_found(org, call, world):
    response = call(org.data_admin, "POST", f"customers/{world['x'].pk}/restore")
    assert response.status_code == 404


def test_contact_of_another_customer_is_not_found(org, call, world):
    # given rep_a's second customer with its own contact
    other = make_customer(org.rep_a, name="另一家公司", kind="organization")
    # when the contact of x is addressed under the other customer
    path = f"customers/{other.pk}/contacts/{world['ct'].pk}"
    # then it is not found, whether read-modified or deleted
    assert call(org.rep_a, "PATCH", path, {"hobbies": "x"}).status_code == 404
    assert call(org.rep_a, "DELETE", path).status_code == 404
    world["ct"].refresh_from_db()
    assert world["ct"].hobbies == ""


def test_a_missing_customer_is_not_found_like_one_out_of_scope(org, call, world):
    missing = call(org.rep_c, "GET", "customers/999999")
    hidden = call(org.rep_c, "GET", f"customers/{world['x'].pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_a_deleted_customer_is_not_found(org, call, world):
    assert call(org.rep_a, "GET", f"customers/{world['gone'].pk}").status_code == 404
    assert call(org.data_admin, "GET", f"customers/{world['gone'].pk}").status_code == 404
