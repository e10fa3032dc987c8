"""The actions of the system and the roles shipped with it (roles are data: the system
administrator edits them on 设置 → 角色与权限; these are the defaults a new company starts with).

Separation of duties (客户数据管理规定): the system administrator manages users and roles and sees
no customer data; granting anyone a role that reads customer data needs the general manager's
confirmation (``CONFIRM_ROLE_GRANT``). The data-management department (数据管理员) sees all
customer data and restores deleted records; a manager sees the department and its
sub-departments; a rep sees own records; the front desk registers and assigns visitors without
reading customer files; service staff work callbacks and complaints of customers owned by sales;
the sales director approves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.core.permissions import Scope, declare_shares

# --- actions --------------------------------------------------------------------------------

VIEW_CUSTOMER = "customers.view_customer"
ADD_CUSTOMER = "customers.add_customer"
CHANGE_CUSTOMER = "customers.change_customer"
DELETE_CUSTOMER = "customers.delete_customer"
ASSIGN_CUSTOMER = "customers.assign_customer"
OWN_CUSTOMER = "customers.own_customer"
RESTORE_CUSTOMER = "customers.restore_customer"
VIEW_DELETED_CUSTOMER = "customers.view_deleted_customer"
CHANGE_GRADEPOLICY = "customers.change_gradepolicy"
COMMENT_DEFEAT = "customers.comment_defeat"
APPROVE_DEFEAT = "customers.approve_defeat"
# 客户数据变更申请: decides reps' requests and edits master data directly (数据管理部门)
APPROVE_CHANGE = "customers.approve_change"
VIEW_PLAN = "activities.view_plan"
ADD_FOLLOWUP = "activities.add_followup"
MANAGE_PLAN = "activities.manage_plan"
COUNT_FOLLOWUP = "activities.count_followup"
COMMENT_FOLLOWUP = "activities.comment_followup"
VIEW_TEAM_DAY = "activities.view_team_day"
VIEW_REPORTS = "reports.view_reports"
EXPORT_REPORTS = "reports.export_reports"
REPORT_ROW = "reports.report_row"
VIEW_AUDIT = "governance.view_auditevent"
MANAGE_USERS = "accounts.manage_users"
MANAGE_ROLES = "accounts.manage_roles"
CONFIRM_ROLE_GRANT = "accounts.confirm_role_grant"
# 老带新 (crm.referrals)
VIEW_REFERRAL = "referrals.view_referral"
ISSUE_CARD = "referrals.issue_card"
LINK_REFERRAL = "referrals.link_referral"
CONFIRM_REFERRAL = "referrals.confirm_referral"
VIEW_REFERRAL_REPORT = "referrals.view_report"
CHANGE_REFERRAL_SETTINGS = "referrals.change_settings"
VIEW_POOL = "pool.view_pool"
CLAIM_POOL = "pool.claim_customer"
ASSIGN_FROM_POOL = "pool.assign_from_pool"
MANAGE_POOL = "pool.manage_pool"
LOCK_CUSTOMER = "pool.lock_customer"
# the reception desk (接待管理)
REGISTER_VISIT = "reception.register_visit"
LOOKUP_CUSTOMER = "reception.lookup_customer"
MANAGE_ROTATION = "reception.manage_rotation"
VIEW_VISIT = "reception.view_visit"
FILE_COMPLAINT = "reception.file_complaint"
DECIDE_COMPLAINT = "reception.decide_complaint"
VIEW_RECORD = "reception.view_record"
# confidentiality levels (密级, crm.governance.confidentiality)
REVEAL_FIELD = "governance.reveal_field"
MANAGE_CONFIDENTIALITY = "governance.manage_confidentiality"
# staff departure and transfer (交接, crm.handover) and the quarterly verification (数据核查,
# crm.verification)
VIEW_HANDOVER = "handover.view_handover"
START_HANDOVER = "handover.start_handover"
APPROVE_HANDOVER = "handover.approve_handover"
MANAGE_VERIFICATION = "verification.manage_round"
VERIFY_RECORD = "verification.verify_record"
# data retrieval requests (客户数据调用申请, crm.retrieval)
REQUEST_DATA = "retrieval.request_data"
VIEW_DATA_REQUEST = "retrieval.view_request"
# customer import from Excel/CSV (客户导入, crm.imports)
IMPORT_CUSTOMERS = "imports.import_customers"
# configurable forms (调查表, crm.questionnaires): managers build them, reps fill them on the
# customers they may edit
MANAGE_FORM = "questionnaires.manage_form"
FILL_FORM = "questionnaires.fill_form"
# vCard import (名片导入, crm.vcards): a phone's contacts as one's own customers
IMPORT_VCARD = "vcards.import_vcard"
# opportunities (销售机会, crm.sales): reps work their own, managers their departments'; managers
# set up the pipelines and the lost reasons
VIEW_OPPORTUNITY = "sales.view_opportunity"
CHANGE_OPPORTUNITY = "sales.change_opportunity"
MANAGE_PIPELINE = "sales.manage_pipeline"
# satisfaction surveys and customer care (满意度抽查, 客户关怀, crm.care): the service department
# draws the month's sample and calls; the rep whose customer it was sees the answers; problems
# found become 整改 actions of a responsible person, which the service department verifies
RUN_SURVEY = "care.run_survey"
VIEW_SURVEY = "care.view_survey"
ANSWER_SURVEY = "care.answer_survey"
MANAGE_ACTION = "care.manage_action"
WORK_ACTION = "care.work_action"
VIEW_CARE = "care.view_care"
MANAGE_CAMPAIGN = "care.manage_campaign"
RECORD_CARE = "care.record_care"
# the knowledge base (知识管理, crm.knowledge): everybody reads it, the managers write it
VIEW_KNOWLEDGE = "knowledge.view_article"
MANAGE_KNOWLEDGE = "knowledge.manage_article"
# the product catalogue (crm.products): everyone reads it, managers maintain it
VIEW_PRODUCT = "products.view_product"
MANAGE_PRODUCT = "products.manage_product"
# orders and their contract review (客户订购登记表, 合同评审, crm.orders); an order's rows are its
# customer's (owner, department)
VIEW_ORDER = "orders.view_order"
CHANGE_ORDER = "orders.change_order"
SIGN_ORDER = "orders.sign_order"
REVIEW_CAPACITY = "orders.review_capacity"
REVIEW_QUALITY = "orders.review_quality"
REVIEW_TECHNICAL = "orders.review_technical"
REVIEW_EQUIPMENT = "orders.review_equipment"
REVIEW_MATERIAL = "orders.review_material"
# customer service (客户服务, crm.service): complaints, their SLA, service records
VIEW_COMPLAINT = "service.view_complaint"
REGISTER_COMPLAINT = "service.register_complaint"
HANDLE_COMPLAINT = "service.handle_complaint"
ASSIST_COMPLAINT = "service.assist_complaint"
SUPERVISE_COMPLAINT = "service.supervise_complaint"
VIEW_COMPLAINT_REPORT = "service.view_complaint_report"
MANAGE_SLA = "service.manage_sla"
RECORD_SERVICE = "service.record_service"


@dataclass(frozen=True)
class Action:
    """An action a role may be granted. ``scoped`` actions are granted with a data scope (whose
    rows); the others are on or off. ``reads_customer_data``: holding it shows customers' personal
    data, so granting it needs the general manager's confirmation (separation of duties)."""

    code: str
    label: str | Promise
    group: str | Promise
    scoped: bool = True
    reads_customer_data: bool = False


_CUSTOMERS = _("客户")
_WORK = _("跟进")
_REPORTS = _("报表")
_ADMIN = _("管理")
_REFERRALS = _("老带新")
_POOL = _("公海")
_RECEPTION = _("接待")
_GOVERNANCE = _("数据治理")
_SALES = _("销售机会")
_SERVICE = _("客户服务")
_ORDERS = _("订单")
_SERVICE = _("客户服务")

ACTIONS: tuple[Action, ...] = (
    Action(VIEW_CUSTOMER, _("查看客户资料"), _CUSTOMERS, reads_customer_data=True),
    Action(ADD_CUSTOMER, _("登记新客户"), _CUSTOMERS, scoped=False),
    Action(CHANGE_CUSTOMER, _("编辑客户资料"), _CUSTOMERS, reads_customer_data=True),
    Action(DELETE_CUSTOMER, _("删除客户"), _CUSTOMERS),
    Action(ASSIGN_CUSTOMER, _("分配、转移客户"), _CUSTOMERS),
    Action(OWN_CUSTOMER, _("可作为客户负责人"), _CUSTOMERS, scoped=False),
    Action(VIEW_DELETED_CUSTOMER, _("查看回收站"), _CUSTOMERS, reads_customer_data=True),
    Action(RESTORE_CUSTOMER, _("恢复已删除的客户"), _CUSTOMERS),
    Action(COMMENT_DEFEAT, _("点评战败分析"), _CUSTOMERS),
    Action(APPROVE_DEFEAT, _("审批战败申请"), _CUSTOMERS),
    Action(APPROVE_CHANGE, _("审批客户资料变更申请，直接修改客户主数据"), _CUSTOMERS),
    Action(CHANGE_GRADEPOLICY, _("修改意向级别与跟进设置"), _CUSTOMERS, scoped=False),
    Action(VIEW_PLAN, _("查看跟进计划"), _WORK, reads_customer_data=True),
    Action(ADD_FOLLOWUP, _("记录跟进与回访"), _WORK),
    Action(MANAGE_PLAN, _("安排跟进计划"), _WORK),
    Action(COUNT_FOLLOWUP, _("跟进计入客户跟进周期"), _WORK),
    Action(COMMENT_FOLLOWUP, _("点评跟进记录"), _WORK),
    Action(VIEW_TEAM_DAY, _("查看夕会"), _WORK, reads_customer_data=True),
    Action(VIEW_REPORTS, _("查看报表"), _REPORTS, reads_customer_data=True),
    Action(EXPORT_REPORTS, _("导出报表"), _REPORTS, reads_customer_data=True),
    Action(REPORT_ROW, _("在报表中列为销售人员"), _REPORTS, scoped=False),
    Action(VIEW_REFERRAL, _("查看老带新关联与优惠卡"), _REFERRALS, reads_customer_data=True),
    Action(ISSUE_CARD, _("签发、作废老带新优惠卡，兑现奖励"), _REFERRALS),
    Action(LINK_REFERRAL, _("登记老带新关联及客户确认"), _REFERRALS),
    Action(CONFIRM_REFERRAL, _("销售经理确认或不予认定老带新关联"), _REFERRALS),
    Action(VIEW_REFERRAL_REPORT, _("查看老带新排行"), _REFERRALS, reads_customer_data=True),
    Action(CHANGE_REFERRAL_SETTINGS, _("修改老带新奖励设置"), _REFERRALS, scoped=False),
    Action(REGISTER_VISIT, _("登记来店、来电客户"), _RECEPTION),
    Action(LOOKUP_CUSTOMER, _("按电话查询是否老客户及其负责人"), _RECEPTION),
    Action(MANAGE_ROTATION, _("管理轮流接待（状态、顺序）"), _RECEPTION),
    Action(VIEW_VISIT, _("查看来电来访登记与汇总"), _RECEPTION),
    Action(FILE_COMPLAINT, _("投诉抢客、争客、怠慢客户"), _RECEPTION, scoped=False),
    Action(DECIDE_COMPLAINT, _("查处抢客投诉"), _RECEPTION),
    Action(VIEW_RECORD, _("查看接待记录（业绩分成、处罚）"), _RECEPTION),
    Action(VIEW_AUDIT, _("查看操作日志"), _ADMIN, reads_customer_data=True),
    Action(MANAGE_USERS, _("管理用户"), _ADMIN, scoped=False),
    Action(MANAGE_ROLES, _("管理角色与权限"), _ADMIN, scoped=False),
    Action(CONFIRM_ROLE_GRANT, _("确认授予查看客户数据的角色"), _ADMIN, scoped=False),
    Action(REVEAL_FIELD, _("查看被遮挡的客户字段（逐项登记）"), _ADMIN, reads_customer_data=True),
    Action(MANAGE_CONFIDENTIALITY, _("设置字段密级与角色密级"), _ADMIN, scoped=False),
    # a pool's rows: own = pools one administers, assigned = also those one is a member of
    Action(VIEW_POOL, _("查看公海"), _POOL),
    Action(CLAIM_POOL, _("从公海领取客户"), _POOL),
    Action(ASSIGN_FROM_POOL, _("从公海分配客户"), _POOL),
    Action(MANAGE_POOL, _("设置公海与收回规则"), _POOL),
    Action(LOCK_CUSTOMER, _("锁定客户不被收回"), _POOL),
    # a hand-over's rows: those of the leaver's department (started by one, for a rep of it)
    Action(VIEW_HANDOVER, _("查看交接单"), _GOVERNANCE, reads_customer_data=True),
    Action(START_HANDOVER, _("发起离职、调岗交接"), _GOVERNANCE),
    Action(APPROVE_HANDOVER, _("审批（签字确认）交接"), _GOVERNANCE),
    # a round's rows are the company's; an item's, its supplying rep's (own) and department's
    Action(MANAGE_VERIFICATION, _("发起、关闭数据核查"), _GOVERNANCE, reads_customer_data=True),
    Action(VERIFY_RECORD, _("核查（确认、更正）客户资料"), _GOVERNANCE),
    # a retrieval request's rows: its requester's (own) and the requester's department's
    Action(REQUEST_DATA, _("申请调用（导出）客户数据"), _GOVERNANCE, scoped=False),
    Action(VIEW_DATA_REQUEST, _("查看客户数据调用申请"), _GOVERNANCE),
    Action(IMPORT_CUSTOMERS, _("导入客户（Excel/CSV）"), _CUSTOMERS),
    # forms are the company's (on/off); whose customers one fills is the customer's own scope
    Action(MANAGE_FORM, _("设计调查表（分组、题目、发布）"), _WORK, scoped=False),
    Action(FILL_FORM, _("填写、查看调查表"), _WORK, scoped=False),
    # the cards become customers of the importer (who also needs 登记新客户)
    Action(IMPORT_VCARD, _("导入手机通讯录名片（vCard）为自己的客户"), _CUSTOMERS, scoped=False),
    Action(VIEW_OPPORTUNITY, _("查看销售机会、看板与预测"), _SALES, reads_customer_data=True),
    Action(CHANGE_OPPORTUNITY, _("新建、推进、关闭销售机会"), _SALES),
    Action(MANAGE_PIPELINE, _("设置销售流程、阶段与输单原因"), _SALES, scoped=False),
    # a survey call's rows: its rep's (own) and the rep's department's; an action's, its
    # responsible person's; a campaign target's, its customer's
    Action(RUN_SURVEY, _("抽取每月满意度抽查样本"), _SERVICE, scoped=False),
    Action(VIEW_SURVEY, _("查看满意度回访结果与整改事项"), _SERVICE, reads_customer_data=True),
    Action(ANSWER_SURVEY, _("满意度电话回访、发送自填链接"), _SERVICE, reads_customer_data=True),
    Action(MANAGE_ACTION, _("发起、核实、关闭整改事项"), _SERVICE),
    Action(WORK_ACTION, _("填报整改结果（责任人）"), _SERVICE),
    Action(VIEW_CARE, _("查看生日、成交周年提醒与关怀活动"), _SERVICE, scoped=False),
    Action(MANAGE_CAMPAIGN, _("发起、结束关怀活动"), _SERVICE, scoped=False),
    Action(RECORD_CARE, _("记录关怀活动的客户回应"), _SERVICE),
    Action(VIEW_KNOWLEDGE, _("查阅知识库（销讲、答客问）"), _SERVICE, scoped=False),
    Action(MANAGE_KNOWLEDGE, _("编辑知识库"), _SERVICE, scoped=False),
    Action(VIEW_PRODUCT, _("查看产品目录"), _ORDERS, scoped=False),
    Action(MANAGE_PRODUCT, _("维护产品目录与价格"), _ORDERS, scoped=False),
    Action(VIEW_ORDER, _("查看订单、合同评审与回款"), _ORDERS, reads_customer_data=True),
    Action(CHANGE_ORDER, _("登记、修改、提交订单，登记回款"), _ORDERS),
    Action(SIGN_ORDER, _("签署合同（总经理、副总经理）"), _ORDERS),
    Action(REVIEW_CAPACITY, _("合同评审：综合生产能力（PMC）"), _ORDERS),
    Action(REVIEW_QUALITY, _("合同评审：产品验收标准（品质部）"), _ORDERS),
    Action(REVIEW_TECHNICAL, _("合同评审：技术标准、环保要求（研发部）"), _ORDERS),
    Action(REVIEW_EQUIPMENT, _("合同评审：生产能力、设备能力（生产部）"), _ORDERS),
    Action(REVIEW_MATERIAL, _("合同评审：原材料采购周期（采购部）"), _ORDERS),
    # a complaint's rows: its customer's rep (own), their department, its handler and helpers
    Action(VIEW_COMPLAINT, _("查看客户投诉"), _SERVICE, reads_customer_data=True),
    Action(REGISTER_COMPLAINT, _("登记客户投诉"), _SERVICE, scoped=False),
    Action(HANDLE_COMPLAINT, _("受理、处理、结案客户投诉"), _SERVICE),
    Action(ASSIST_COMPLAINT, _("协助处理客户投诉（记录处理情况）"), _SERVICE),
    Action(SUPERVISE_COMPLAINT, _("接收逾期投诉的升级通知"), _SERVICE),
    Action(
        VIEW_COMPLAINT_REPORT, _("查看客户投诉统计分析月报"), _SERVICE, reads_customer_data=True
    ),
    Action(MANAGE_SLA, _("设置投诉时限与工作日历"), _SERVICE, scoped=False),
    Action(RECORD_SERVICE, _("填写客户服务记录"), _SERVICE),
)
ACTIONS_BY_CODE: dict[str, Action] = {a.code: a for a in ACTIONS}

# What a customer shared with a colleague (客户共享) opens to them, from the scope ``assigned``
# up: any share lets them read the customer, its follow-ups and plans; a read-write one lets them
# edit it, record follow-ups (counted in its cadence) and plan. Deleting, assigning and the
# reports stay the owner's.
SHARE_READS = (VIEW_CUSTOMER, VIEW_PLAN)
SHARE_WRITES = (CHANGE_CUSTOMER, ADD_FOLLOWUP, MANAGE_PLAN, COUNT_FOLLOWUP)
declare_shares(read=SHARE_READS, write=SHARE_WRITES)


# Reading customer data of one's own and of records assigned or shared to one by others gives a
# new account nothing the company did not hand it; from the department scope up it does.
_WIDE = Scope.rank(Scope.DEPARTMENT)


def _wide(code: str, scope: str) -> bool:
    action = ACTIONS_BY_CODE.get(code)
    return action is not None and action.reads_customer_data and Scope.rank(scope) >= _WIDE


def reads_customer_data(grants: dict[str, str]) -> bool:
    """Whether a set of grants shows its holder the personal data of customers beyond their own
    and those assigned to them (a department's or the company's): granting it takes the general
    manager's confirmation."""
    return any(_wide(code, scope) for code, scope in grants.items())


def widened(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Actions that read customer data and reach further in ``after`` than in ``before``, to a
    department's or the company's customers."""
    return [
        code
        for code, scope in after.items()
        if _wide(code, scope) and Scope.rank(scope) > Scope.rank(before.get(code, Scope.NONE))
    ]


# --- the roles a new company starts with ----------------------------------------------------


class BuiltinRole(models.TextChoices):
    REP = "rep", _("销售顾问")
    MANAGER = "manager", _("销售经理")
    DIRECTOR = "director", _("销售总监")
    RECEPTIONIST = "receptionist", _("前台/接待")
    SERVICE = "service", _("客服/售后")
    DATA_ADMIN = "data_admin", _("数据管理员")
    GM = "gm", _("总经理")
    SYSADMIN = "sysadmin", _("系统管理员")
    # the departments that review a contract (与顾客有关的过程控制程序 4.2)
    PMC = "pmc", _("计划部（PMC）")
    QUALITY = "quality", _("品质部")
    RND = "rnd", _("研发部")
    PRODUCTION = "production", _("生产部")
    PURCHASING = "purchasing", _("采购部")


ALL, DEPT, OWN, ASSIGNED = Scope.ALL, Scope.DEPARTMENT, Scope.OWN, Scope.ASSIGNED


def _sales(scope: str, shared: str | None = None) -> dict[str, str]:
    """The customer work of sales staff, at one scope (``shared``: the scope of the actions a
    share opens, when wider)."""
    work = shared or scope
    return {
        VIEW_CUSTOMER: work,
        ADD_CUSTOMER: ALL,
        CHANGE_CUSTOMER: work,
        DELETE_CUSTOMER: scope,
        ASSIGN_CUSTOMER: scope,
        OWN_CUSTOMER: ALL,
        VIEW_PLAN: work,
        ADD_FOLLOWUP: work,
        MANAGE_PLAN: work,
        COUNT_FOLLOWUP: work,
        VIEW_REPORTS: scope,
        EXPORT_REPORTS: scope,
    }


def _pool(scope: str) -> dict[str, str]:
    """The public pool's work of managers, at one scope."""
    return {
        VIEW_POOL: scope,
        CLAIM_POOL: scope,
        ASSIGN_FROM_POOL: scope,
        MANAGE_POOL: scope,
        LOCK_CUSTOMER: scope,
    }


# a rep sees and claims from the pools they are a member of and assigns from those they administer
_REP_POOL = {VIEW_POOL: ASSIGNED, CLAIM_POOL: ASSIGNED, ASSIGN_FROM_POOL: OWN}

DEFAULT_GRANTS: dict[str, dict[str, str]] = {
    # a rep works their own customers and those a colleague shares with them (``assigned``)
    BuiltinRole.REP: {
        **_sales(OWN, shared=ASSIGNED),
        REPORT_ROW: ALL,
        MANAGE_ROTATION: OWN,
        VIEW_VISIT: OWN,
        FILE_COMPLAINT: ALL,
        VIEW_RECORD: OWN,
        **_REP_POOL,
    },
    # the grade table is company-wide: the general manager's, not any department manager's
    BuiltinRole.MANAGER: {
        **_sales(DEPT),
        COMMENT_DEFEAT: DEPT,
        APPROVE_DEFEAT: DEPT,
        COMMENT_FOLLOWUP: DEPT,
        VIEW_TEAM_DAY: DEPT,
        **_pool(DEPT),
        REGISTER_VISIT: DEPT,
        LOOKUP_CUSTOMER: ALL,
        MANAGE_ROTATION: DEPT,
        VIEW_VISIT: DEPT,
        FILE_COMPLAINT: ALL,
        DECIDE_COMPLAINT: DEPT,
        VIEW_RECORD: DEPT,
    },
    BuiltinRole.DIRECTOR: {
        **_sales(DEPT),
        COMMENT_DEFEAT: DEPT,
        APPROVE_DEFEAT: DEPT,
        COMMENT_FOLLOWUP: DEPT,
        VIEW_TEAM_DAY: DEPT,
        **_pool(DEPT),
        REGISTER_VISIT: DEPT,
        LOOKUP_CUSTOMER: ALL,
        MANAGE_ROTATION: DEPT,
        VIEW_VISIT: DEPT,
        FILE_COMPLAINT: ALL,
        DECIDE_COMPLAINT: DEPT,
        VIEW_RECORD: DEPT,
    },
    BuiltinRole.RECEPTIONIST: {
        ADD_CUSTOMER: ALL,
        ASSIGN_CUSTOMER: DEPT,
        REGISTER_VISIT: DEPT,
        LOOKUP_CUSTOMER: ALL,
        MANAGE_ROTATION: DEPT,
        VIEW_VISIT: DEPT,
        FILE_COMPLAINT: ALL,
    },
    BuiltinRole.SERVICE: {
        VIEW_CUSTOMER: ALL,
        VIEW_PLAN: ASSIGNED,
        ADD_FOLLOWUP: ALL,
        MANAGE_PLAN: ASSIGNED,
    },
    BuiltinRole.DATA_ADMIN: {
        VIEW_CUSTOMER: ALL,
        ADD_CUSTOMER: ALL,
        CHANGE_CUSTOMER: ALL,
        DELETE_CUSTOMER: ALL,
        ASSIGN_CUSTOMER: ALL,
        OWN_CUSTOMER: ALL,
        VIEW_DELETED_CUSTOMER: ALL,
        RESTORE_CUSTOMER: ALL,
        APPROVE_CHANGE: ALL,
        VIEW_PLAN: ALL,
        ADD_FOLLOWUP: ALL,
        MANAGE_PLAN: ALL,
        VIEW_REPORTS: ALL,
        EXPORT_REPORTS: ALL,
        VIEW_AUDIT: ALL,
        VIEW_POOL: ALL,
        ASSIGN_FROM_POOL: ALL,
        LOCK_CUSTOMER: ALL,
        LOOKUP_CUSTOMER: ALL,
        VIEW_VISIT: ALL,
        VIEW_RECORD: ALL,
    },
    BuiltinRole.GM: {
        **_sales(ALL),
        CHANGE_GRADEPOLICY: ALL,
        COMMENT_DEFEAT: ALL,
        APPROVE_DEFEAT: ALL,
        COMMENT_FOLLOWUP: ALL,
        VIEW_TEAM_DAY: ALL,
        VIEW_AUDIT: ALL,
        CONFIRM_ROLE_GRANT: ALL,
        **_pool(ALL),
        REGISTER_VISIT: ALL,
        LOOKUP_CUSTOMER: ALL,
        MANAGE_ROTATION: ALL,
        VIEW_VISIT: ALL,
        FILE_COMPLAINT: ALL,
        DECIDE_COMPLAINT: ALL,
        VIEW_RECORD: ALL,
    },
    BuiltinRole.SYSADMIN: {MANAGE_USERS: ALL, MANAGE_ROLES: ALL},
    BuiltinRole.PMC: {},
    BuiltinRole.QUALITY: {},
    BuiltinRole.RND: {},
    BuiltinRole.PRODUCTION: {},
    BuiltinRole.PURCHASING: {},
}

# 老带新 (crm.referrals): sales staff issue cards to their retained customers and do the paperwork
# of their new customers' links; the manager signs (or declines) a link; the front desk links a
# visitor with a card at registration; the general manager sets the reward.
REFERRAL_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {
        VIEW_REFERRAL: OWN,
        ISSUE_CARD: OWN,
        LINK_REFERRAL: OWN,
        VIEW_REFERRAL_REPORT: OWN,
    },
    BuiltinRole.MANAGER: {
        VIEW_REFERRAL: DEPT,
        ISSUE_CARD: DEPT,
        LINK_REFERRAL: DEPT,
        CONFIRM_REFERRAL: DEPT,
        VIEW_REFERRAL_REPORT: DEPT,
    },
    BuiltinRole.DIRECTOR: {
        VIEW_REFERRAL: DEPT,
        ISSUE_CARD: DEPT,
        LINK_REFERRAL: DEPT,
        CONFIRM_REFERRAL: DEPT,
        VIEW_REFERRAL_REPORT: DEPT,
    },
    BuiltinRole.RECEPTIONIST: {LINK_REFERRAL: DEPT},
    BuiltinRole.DATA_ADMIN: {VIEW_REFERRAL: ALL, VIEW_REFERRAL_REPORT: ALL},
    BuiltinRole.GM: {
        VIEW_REFERRAL: ALL,
        ISSUE_CARD: ALL,
        LINK_REFERRAL: ALL,
        CONFIRM_REFERRAL: ALL,
        VIEW_REFERRAL_REPORT: ALL,
        CHANGE_REFERRAL_SETTINGS: ALL,
    },
}
for _role, _grants in REFERRAL_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 密级 (crm.governance.confidentiality): the data administrator sets the levels
# (客户数据管理规定: 售后部负责确定客户数据的密级); managers, directors and the general manager
# reveal a masked field of the customers they answer for, each reveal logged
CONFIDENTIALITY_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.MANAGER: {REVEAL_FIELD: DEPT},
    BuiltinRole.DIRECTOR: {REVEAL_FIELD: DEPT},
    BuiltinRole.GM: {REVEAL_FIELD: ALL},
    BuiltinRole.DATA_ADMIN: {REVEAL_FIELD: ALL, MANAGE_CONFIDENTIALITY: ALL},
}
for _role, _grants in CONFIDENTIALITY_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 交接 (crm.handover): a manager or director starts the hand-over of a rep of their department,
# the director signs it off, the data-management department keeps the record (交售后留档).
# 数据核查 (crm.verification): the data administrator runs the rounds; each supplying rep verifies
# their records, a manager or director those of the department.
GOVERNANCE_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {VERIFY_RECORD: OWN},
    BuiltinRole.MANAGER: {VIEW_HANDOVER: DEPT, START_HANDOVER: DEPT, VERIFY_RECORD: DEPT},
    BuiltinRole.DIRECTOR: {
        VIEW_HANDOVER: DEPT,
        START_HANDOVER: DEPT,
        APPROVE_HANDOVER: DEPT,
        VERIFY_RECORD: DEPT,
    },
    BuiltinRole.DATA_ADMIN: {VIEW_HANDOVER: ALL, MANAGE_VERIFICATION: ALL, VERIFY_RECORD: ALL},
    BuiltinRole.GM: {
        VIEW_HANDOVER: ALL,
        START_HANDOVER: ALL,
        APPROVE_HANDOVER: ALL,
        VERIFY_RECORD: ALL,
    },
}
for _role, _grants in GOVERNANCE_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 客户数据调用 (crm.retrieval): whoever reads customers may ask for an export of those they read;
# the requester's department director, then the general manager, approve it (crm.governance.flows)
RETRIEVAL_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {REQUEST_DATA: ALL, VIEW_DATA_REQUEST: OWN},
    BuiltinRole.MANAGER: {REQUEST_DATA: ALL, VIEW_DATA_REQUEST: DEPT},
    BuiltinRole.DIRECTOR: {REQUEST_DATA: ALL, VIEW_DATA_REQUEST: DEPT},
    BuiltinRole.SERVICE: {REQUEST_DATA: ALL, VIEW_DATA_REQUEST: OWN},
    BuiltinRole.DATA_ADMIN: {REQUEST_DATA: ALL, VIEW_DATA_REQUEST: ALL},
    BuiltinRole.GM: {REQUEST_DATA: ALL, VIEW_DATA_REQUEST: ALL},
}
for _role, _grants in RETRIEVAL_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 客户导入 (crm.imports): managers and directors import for their departments, the data
# administrator and the general manager for everyone; reps do not import
IMPORT_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.MANAGER: {IMPORT_CUSTOMERS: DEPT},
    BuiltinRole.DIRECTOR: {IMPORT_CUSTOMERS: DEPT},
    BuiltinRole.DATA_ADMIN: {IMPORT_CUSTOMERS: ALL},
    BuiltinRole.GM: {IMPORT_CUSTOMERS: ALL},
}
for _role, _grants in IMPORT_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 调查表 (crm.questionnaires): the managers design the forms, sales staff fill them
QUESTIONNAIRE_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {FILL_FORM: ALL},
    BuiltinRole.MANAGER: {MANAGE_FORM: ALL, FILL_FORM: ALL},
    BuiltinRole.DIRECTOR: {MANAGE_FORM: ALL, FILL_FORM: ALL},
    BuiltinRole.DATA_ADMIN: {MANAGE_FORM: ALL, FILL_FORM: ALL},
    BuiltinRole.GM: {MANAGE_FORM: ALL, FILL_FORM: ALL},
}
for _role, _grants in QUESTIONNAIRE_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 名片导入 (crm.vcards): the sales staff who keep customers in their phones import them as their
# own customers; the others enter customers one by one or through the Excel import
VCARD_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {IMPORT_VCARD: ALL},
    BuiltinRole.MANAGER: {IMPORT_VCARD: ALL},
}
for _role, _grants in VCARD_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 销售机会 (crm.sales): reps their own, managers and directors their departments', the general
# manager everyone's; the data administrator reads them all; the managers set up the pipelines
SALES_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {VIEW_OPPORTUNITY: OWN, CHANGE_OPPORTUNITY: OWN},
    BuiltinRole.MANAGER: {
        VIEW_OPPORTUNITY: DEPT,
        CHANGE_OPPORTUNITY: DEPT,
        MANAGE_PIPELINE: ALL,
    },
    BuiltinRole.DIRECTOR: {
        VIEW_OPPORTUNITY: DEPT,
        CHANGE_OPPORTUNITY: DEPT,
        MANAGE_PIPELINE: ALL,
    },
    BuiltinRole.DATA_ADMIN: {VIEW_OPPORTUNITY: ALL},
    BuiltinRole.GM: {VIEW_OPPORTUNITY: ALL, CHANGE_OPPORTUNITY: ALL, MANAGE_PIPELINE: ALL},
}
for _role, _grants in SALES_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 满意度抽查, 整改, 客户关怀 (crm.care) and 知识管理 (crm.knowledge): the service department runs
# the surveys and campaigns; each rep sees the answers of their customers and works the actions
# given to them; the managers verify their department's actions and write the knowledge base
CARE_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {
        VIEW_SURVEY: OWN,
        WORK_ACTION: OWN,
        VIEW_CARE: ALL,
        RECORD_CARE: OWN,
        VIEW_KNOWLEDGE: ALL,
    },
    BuiltinRole.MANAGER: {
        VIEW_SURVEY: DEPT,
        MANAGE_ACTION: DEPT,
        WORK_ACTION: DEPT,
        VIEW_CARE: ALL,
        MANAGE_CAMPAIGN: ALL,
        RECORD_CARE: DEPT,
        VIEW_KNOWLEDGE: ALL,
        MANAGE_KNOWLEDGE: ALL,
    },
    BuiltinRole.DIRECTOR: {
        VIEW_SURVEY: DEPT,
        MANAGE_ACTION: DEPT,
        WORK_ACTION: DEPT,
        VIEW_CARE: ALL,
        MANAGE_CAMPAIGN: ALL,
        RECORD_CARE: DEPT,
        VIEW_KNOWLEDGE: ALL,
        MANAGE_KNOWLEDGE: ALL,
    },
    BuiltinRole.RECEPTIONIST: {VIEW_KNOWLEDGE: ALL},
    BuiltinRole.SERVICE: {
        RUN_SURVEY: ALL,
        VIEW_SURVEY: ALL,
        ANSWER_SURVEY: ALL,
        MANAGE_ACTION: ALL,
        WORK_ACTION: ALL,
        VIEW_CARE: ALL,
        MANAGE_CAMPAIGN: ALL,
        RECORD_CARE: ALL,
        VIEW_KNOWLEDGE: ALL,
    },
    BuiltinRole.DATA_ADMIN: {VIEW_SURVEY: ALL, VIEW_CARE: ALL, VIEW_KNOWLEDGE: ALL},
    BuiltinRole.GM: {
        RUN_SURVEY: ALL,
        VIEW_SURVEY: ALL,
        ANSWER_SURVEY: ALL,
        MANAGE_ACTION: ALL,
        WORK_ACTION: ALL,
        VIEW_CARE: ALL,
        MANAGE_CAMPAIGN: ALL,
        RECORD_CARE: ALL,
        VIEW_KNOWLEDGE: ALL,
        MANAGE_KNOWLEDGE: ALL,
    },
}
for _role, _grants in CARE_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 订单与合同评审 (crm.orders): sales staff register their customers' orders; each reviewing
# department reviews every order in its field (与顾客有关的过程控制程序 4.2), the general manager
# signs (4.3); after-sales and the data administrator read them. Everyone reads the catalogue,
# the managers keep it.
ORDER_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {VIEW_PRODUCT: ALL, VIEW_ORDER: OWN, CHANGE_ORDER: OWN},
    BuiltinRole.MANAGER: {
        VIEW_PRODUCT: ALL,
        MANAGE_PRODUCT: ALL,
        VIEW_ORDER: DEPT,
        CHANGE_ORDER: DEPT,
    },
    BuiltinRole.DIRECTOR: {
        VIEW_PRODUCT: ALL,
        MANAGE_PRODUCT: ALL,
        VIEW_ORDER: DEPT,
        CHANGE_ORDER: DEPT,
    },
    BuiltinRole.RECEPTIONIST: {VIEW_PRODUCT: ALL},
    BuiltinRole.SERVICE: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL},
    BuiltinRole.DATA_ADMIN: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL},
    BuiltinRole.GM: {
        VIEW_PRODUCT: ALL,
        MANAGE_PRODUCT: ALL,
        VIEW_ORDER: ALL,
        CHANGE_ORDER: ALL,
        SIGN_ORDER: ALL,
    },
    BuiltinRole.PMC: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL, REVIEW_CAPACITY: ALL},
    BuiltinRole.QUALITY: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL, REVIEW_QUALITY: ALL},
    BuiltinRole.RND: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL, REVIEW_TECHNICAL: ALL},
    BuiltinRole.PRODUCTION: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL, REVIEW_EQUIPMENT: ALL},
    BuiltinRole.PURCHASING: {VIEW_PRODUCT: ALL, VIEW_ORDER: ALL, REVIEW_MATERIAL: ALL},
}
for _role, _grants in ORDER_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

# 客户服务 (crm.service): the service department (客服部) registers and works complaints of every
# customer; a rep sees and helps with their customers' complaints, a manager their department's;
# a deadline missed goes to the handler's department manager, then to the general manager, who
# reads the monthly statistics (客户投诉统计分析月报表); managers keep the SLA table and calendar
SERVICE_GRANTS: dict[str, dict[str, str]] = {
    BuiltinRole.REP: {VIEW_COMPLAINT: ASSIGNED, ASSIST_COMPLAINT: ASSIGNED, RECORD_SERVICE: OWN},
    BuiltinRole.MANAGER: {
        VIEW_COMPLAINT: DEPT,
        ASSIST_COMPLAINT: DEPT,
        SUPERVISE_COMPLAINT: DEPT,
        MANAGE_SLA: ALL,
        RECORD_SERVICE: DEPT,
    },
    BuiltinRole.DIRECTOR: {
        VIEW_COMPLAINT: DEPT,
        ASSIST_COMPLAINT: DEPT,
        VIEW_COMPLAINT_REPORT: DEPT,
        MANAGE_SLA: ALL,
        RECORD_SERVICE: DEPT,
    },
    BuiltinRole.SERVICE: {
        VIEW_COMPLAINT: ALL,
        REGISTER_COMPLAINT: ALL,
        HANDLE_COMPLAINT: ALL,
        ASSIST_COMPLAINT: ALL,
        VIEW_COMPLAINT_REPORT: ALL,
        RECORD_SERVICE: ALL,
    },
    BuiltinRole.DATA_ADMIN: {VIEW_COMPLAINT: ALL},
    BuiltinRole.GM: {
        VIEW_COMPLAINT: ALL,
        REGISTER_COMPLAINT: ALL,
        HANDLE_COMPLAINT: ALL,
        ASSIST_COMPLAINT: ALL,
        SUPERVISE_COMPLAINT: ALL,
        VIEW_COMPLAINT_REPORT: ALL,
        MANAGE_SLA: ALL,
        RECORD_SERVICE: ALL,
    },
}
for _role, _grants in SERVICE_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_grants)

ROLE_DESCRIPTIONS: dict[str, str | Promise] = {
    BuiltinRole.REP: _("跟进自己名下的客户"),
    BuiltinRole.MANAGER: _("管理本部门及下级部门的客户和销售顾问"),
    BuiltinRole.DIRECTOR: _("审批，查看所辖部门的客户与报表"),
    BuiltinRole.RECEPTIONIST: _("登记来店、来电客户并分配给销售顾问，不查看客户档案"),
    BuiltinRole.SERVICE: _("回访与投诉处理，可查看全部客户，不修改客户资料"),
    BuiltinRole.DATA_ADMIN: _("客户数据管理部门：全部客户、回收站、操作日志"),
    BuiltinRole.GM: _("全部客户与报表；确认查看客户数据的授权"),
    BuiltinRole.SYSADMIN: _("管理用户与角色，不查看客户数据"),
    BuiltinRole.PMC: _("合同评审：综合生产能力"),
    BuiltinRole.QUALITY: _("合同评审：产品验收标准"),
    BuiltinRole.RND: _("合同评审：技术标准与环保要求"),
    BuiltinRole.PRODUCTION: _("合同评审：生产能力与设备能力"),
    BuiltinRole.PURCHASING: _("合同评审：原材料采购周期"),
}
