"""What each audit verb means, in words (the audit viewer's labels and its verb filter).

Verbs of a customer's own record are labelled where the customer page shows them
(``crm.web.customers.presenters.VERB_LABELS``); these are the others. Their English is under the
message context "audit" (``登录`` is "Signed in" here, the button "Sign in" elsewhere).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

VERB_LABELS: dict[str, StrPromise] = {
    "customer.listed": pgettext_lazy("audit", "查询客户列表"),
    "customer.due_listed": pgettext_lazy("audit", "查看待跟进客户"),
    "plan.listed": pgettext_lazy("audit", "查看当日计划"),
    "team_day.viewed": pgettext_lazy("audit", "查看夕会"),
    "calendar_feed.fetched": pgettext_lazy("audit", "日历订阅读取"),
    "calendar_feed.reset": pgettext_lazy("audit", "重置日历订阅地址"),
    "user.logged_in": pgettext_lazy("audit", "登录"),
    "user.logged_out": pgettext_lazy("audit", "退出登录"),
    "user.login_failed": pgettext_lazy("audit", "登录失败"),
    "user.login_locked": pgettext_lazy("audit", "登录被锁定拒绝"),
    "user.created": pgettext_lazy("audit", "创建用户"),
    "user.profile_changed": pgettext_lazy("audit", "修改个人资料"),
    "user.password_changed": pgettext_lazy("audit", "修改密码"),
    "user.password_reset": pgettext_lazy("audit", "重置密码"),
    "user.activated": pgettext_lazy("audit", "启用用户"),
    "user.deactivated": pgettext_lazy("audit", "停用用户"),
    "user.changed": pgettext_lazy("audit", "修改用户资料"),
    "source.created": pgettext_lazy("audit", "新增认知途径"),
    "source.changed": pgettext_lazy("audit", "修改认知途径"),
    "user.unlocked": pgettext_lazy("audit", "解除登录锁定"),
    "token.issued": pgettext_lazy("audit", "创建 API 令牌"),
    "token.revoked": pgettext_lazy("audit", "吊销 API 令牌"),
    "report.exported": pgettext_lazy("audit", "导出报表"),
    "pool.created": pgettext_lazy("audit", "新建公海"),
    "pool.updated": pgettext_lazy("audit", "修改公海设置"),
    "pool.rule_added": pgettext_lazy("audit", "添加收回规则"),
    "pool.rule_removed": pgettext_lazy("audit", "删除收回规则"),
    "grade_policy.updated": pgettext_lazy("audit", "修改级别跟进周期"),
    "lifecycle_settings.updated": pgettext_lazy("audit", "修改跟进设置"),
    "user.role_changed": pgettext_lazy("audit", "更改用户角色"),
    "role.created": pgettext_lazy("audit", "新建角色"),
    "role.changed": pgettext_lazy("audit", "修改角色权限"),
    "role.deleted": pgettext_lazy("audit", "删除角色"),
    "approval.submitted": pgettext_lazy("audit", "提交审批"),
    "approval.decided": pgettext_lazy("audit", "审批决定"),
    "approval.step_decided": pgettext_lazy("audit", "审批步骤决定"),
    "customer.plans_moved": pgettext_lazy("audit", "计划随客户移交"),
    "customer.bulk": pgettext_lazy("audit", "批量操作客户"),
    "savedview.created": pgettext_lazy("audit", "保存客户视图"),
    "savedview.updated": pgettext_lazy("audit", "更新客户视图"),
    "savedview.renamed": pgettext_lazy("audit", "重命名客户视图"),
    "savedview.deleted": pgettext_lazy("audit", "删除客户视图"),
    "savedview.shared": pgettext_lazy("audit", "共享客户视图"),
    "savedview.unshared": pgettext_lazy("audit", "取消共享客户视图"),
    # 老带新 (crm.referrals)
    "referral_card.issued": pgettext_lazy("audit", "签发老带新优惠卡"),
    "referral_card.revoked": pgettext_lazy("audit", "作废老带新优惠卡"),
    "referral.linked": pgettext_lazy("audit", "登记老带新关联"),
    "referral.confirmed": pgettext_lazy("audit", "确认老带新关联"),
    "referral.declined": pgettext_lazy("audit", "不予认定老带新关联"),
    "referral.rewarded": pgettext_lazy("audit", "记录老带新奖励"),
    "referral_settings.updated": pgettext_lazy("audit", "修改老带新设置"),
    "referral.listed": pgettext_lazy("audit", "查看老带新列表"),
    "referral.reward_paid": pgettext_lazy("audit", "兑现老带新奖励"),
    "visit.registered": pgettext_lazy("audit", "来访登记"),
    "seat.status_changed": pgettext_lazy("audit", "接待状态变更"),
    "rotation.changed": pgettext_lazy("audit", "修改接待顺序"),
    "credit.recorded": pgettext_lazy("audit", "记录业绩分成"),
    "complaint.filed": pgettext_lazy("audit", "登记抢客投诉"),
    "complaint.decided": pgettext_lazy("audit", "查处抢客投诉"),
    "handover.started": pgettext_lazy("audit", "发起交接"),
    "handover.completed": pgettext_lazy("audit", "完成交接"),
    "handover.viewed": pgettext_lazy("audit", "查看交接单"),
    "verification.opened": pgettext_lazy("audit", "发起数据核查"),
    "verification.reminded": pgettext_lazy("audit", "提醒数据核查"),
    "verification.closed": pgettext_lazy("audit", "关闭数据核查"),
    # security hardening (crm.accounts.twofactor, crm.accounts.middleware)
    "user.login_address_locked": pgettext_lazy("audit", "登录被拒（地址失败过多）"),
    "user.password_expired": pgettext_lazy("audit", "密码过期"),
    "user.session_expired": pgettext_lazy("audit", "会话超时退出"),
    "user.2fa_enabled": pgettext_lazy("audit", "启用两步验证"),
    "user.2fa_disabled": pgettext_lazy("audit", "关闭两步验证"),
    "user.2fa_reset": pgettext_lazy("audit", "重置两步验证"),
    "user.2fa_failed": pgettext_lazy("audit", "两步验证码错误"),
    "user.2fa_locked": pgettext_lazy("audit", "两步验证被锁定拒绝"),
    "user.2fa_recovery_used": pgettext_lazy("audit", "使用恢复码登录"),
    "user.2fa_recovery_renewed": pgettext_lazy("audit", "重新生成恢复码"),
    # encryption at rest (ADR 0009): ``crm keys rotate``
    "keys.rotated": pgettext_lazy("audit", "轮换加密密钥"),
    # 密级 and 查阅登记 (crm.governance.services)
    "confidentiality.updated": pgettext_lazy("audit", "修改密级设置"),
    "access_log.exported": pgettext_lazy("audit", "导出查阅登记"),
    # 客户数据调用申请 (crm.retrieval)
    "retrieval.requested": pgettext_lazy("audit", "提交客户数据调用申请"),
    "retrieval.exported": pgettext_lazy("audit", "导出调用的客户数据"),
    "customer.exported": pgettext_lazy("audit", "导出客户数据"),
    # 客户导入 (crm.imports): one event per import, and its undo
    "import.completed": pgettext_lazy("audit", "导入客户"),
    "import.cancelled": pgettext_lazy("audit", "导入客户（已取消）"),
    "import.undone": pgettext_lazy("audit", "撤销客户导入"),
    # 调查表 (crm.questionnaires)
    "questionnaire.created": pgettext_lazy("audit", "新建调查表"),
    "questionnaire.updated": pgettext_lazy("audit", "修改调查表设置"),
    "questionnaire.edited": pgettext_lazy("audit", "修改调查表题目"),
    "questionnaire.published": pgettext_lazy("audit", "发布调查表"),
    "questionnaire.answered": pgettext_lazy("audit", "填写调查表"),
    "questionnaire.exported": pgettext_lazy("audit", "导出调查表答卷"),
    "questionnaire.installed": pgettext_lazy("audit", "安装行业模板"),
    # 名片导入 (crm.vcards)
    "vcard.imported": pgettext_lazy("audit", "导入手机名片"),
    # 销售机会 (crm.sales)
    "opportunity.created": pgettext_lazy("audit", "新建销售机会"),
    "opportunity.changed": pgettext_lazy("audit", "修改销售机会"),
    "opportunity.stage_changed": pgettext_lazy("audit", "推进销售机会阶段"),
    "opportunity.followed_up": pgettext_lazy("audit", "跟进销售机会"),
    "opportunity.won": pgettext_lazy("audit", "销售机会赢单"),
    "opportunity.lost": pgettext_lazy("audit", "销售机会输单"),
    "opportunity.reopened": pgettext_lazy("audit", "重新打开销售机会"),
    "pipeline.created": pgettext_lazy("audit", "新建销售流程"),
    "pipeline.changed": pgettext_lazy("audit", "修改销售流程"),
    "lost_reasons.changed": pgettext_lazy("audit", "修改输单原因"),
}
