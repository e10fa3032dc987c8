"""Who decides each kind of approval request, in order: the one place the chains are configured.

A kind listed here gets these steps whatever its caller asks for; a kind not listed is one step
of the ``approve_action`` its caller gives (a single-step request stays a one-step chain). The
setting ``CRM_APPROVAL_FLOWS`` overrides a kind's chain without a code change::

    CRM_APPROVAL_FLOWS = {
        "customers.change": [
            {"label": "部门总监", "role": "director", "head": True},
            {"label": "数据管理部门", "action": "customers.approve_change"},
        ],
    }

Later kinds (客户数据调用申请, contract reviews) add their line: ``DIRECTOR_THEN_GM`` is the
chain "the requester's department director, then the general manager".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import APPROVE_CHANGE, APPROVE_DEFEAT, CONFIRM_ROLE_GRANT, SIGN_ORDER

from .approvals import Step

# the requester's department director, then the general manager (客户数据调用申请表)
DIRECTOR_THEN_GM: tuple[Step, ...] = (
    Step(_("部门总监"), role="director", head=True),
    Step(_("总经理"), role="gm"),
)

FLOWS: dict[str, tuple[Step, ...]] = {
    # 战败申请: the manager of the customer's department
    "customers.defeat": (Step(_("销售经理"), action=APPROVE_DEFEAT),),
    # 客户数据变更申请: the data-management department applies it
    "customers.change": (Step(_("数据管理部门"), action=APPROVE_CHANGE),),
    # granting customer data to a role or a user: the general manager confirms
    "accounts.user_role": (Step(_("总经理确认"), action=CONFIRM_ROLE_GRANT),),
    "accounts.role_grants": (Step(_("总经理确认"), action=CONFIRM_ROLE_GRANT),),
    # 客户数据调用申请: 由部门总监批准，并由总经理同时批准 (crm.retrieval)
    "retrieval.export": DIRECTOR_THEN_GM,
    # 合同签署 (crm.orders): after the five departments' reviews, 总(副)经理负责合同的签署
    "orders.sign": (Step(_("总经理签署"), action=SIGN_ORDER),),
}


def _step(spec: dict[str, Any]) -> Step:
    return Step(
        spec.get("label") or _("审批"),
        action=spec.get("action", ""),
        role=spec.get("role", ""),
        head=bool(spec.get("head", False)),
    )


def flow_of(kind: str) -> tuple[Step, ...]:
    """The chain of ``kind``: the setting's override, else ``FLOWS``; empty when neither."""
    override = getattr(settings, "CRM_APPROVAL_FLOWS", {}).get(kind)
    if override:
        return tuple(_step(spec) for spec in override)
    return FLOWS.get(kind, ())
