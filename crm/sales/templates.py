"""The pipelines a company starts from, per industry (the same keys as ``crm demo --industry``
and the questionnaire templates): stage names, win probabilities (%) and stale thresholds (days
without activity), from the seeds' sales processes (房地产: 来访 → 认筹 → 认购 → 签约; 外贸: 询盘
→ 报价 → 寄样 → 二次跟进; 汽车、卡车: 接待 → 试乘试驾 → 报价 → 定金). ``general`` is the default
pipeline a new installation has."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as _

# (name, probability %, stale days)
Stages = list[tuple[str, int, int | None]]

TEMPLATES: dict[str, dict[str, Any]] = {
    "general": {
        "label": _("通用销售流程"),
        "stages": [
            ("初步接洽", 10, 14),
            ("需求确认", 25, 14),
            ("方案报价", 50, 10),
            ("商务谈判", 75, 7),
            ("合同签订", 90, 7),
        ],
    },
    "realestate": {
        "label": _("房地产销售流程"),
        "stages": [
            ("首次来访", 10, 7),
            ("复访看房", 25, 7),
            ("认筹", 50, 10),
            ("认购", 75, 14),
            ("签约按揭", 90, 14),
        ],
    },
    "auto": {
        "label": _("汽车销售流程"),
        "stages": [
            ("展厅接待", 10, 3),
            ("试乘试驾", 30, 5),
            ("报价谈判", 50, 5),
            ("交付定金", 80, 7),
        ],
    },
    "truck": {
        "label": _("卡车大客户销售流程"),
        "stages": [
            ("需求调研", 10, 14),
            ("方案报价", 30, 14),
            ("试乘试驾", 50, 10),
            ("商务谈判", 70, 10),
            ("合同评审", 90, 7),
        ],
    },
    "trade": {
        "label": _("外贸销售流程"),
        "stages": [
            ("询盘", 10, 7),
            ("报价", 25, 10),
            ("寄样", 40, 21),
            ("二次跟进", 60, 14),
            ("形式发票", 85, 10),
        ],
    },
    "shop": {
        "label": _("网店销售流程"),
        "stages": [
            ("咨询", 20, 3),
            ("意向下单", 50, 3),
            ("待付款", 80, 2),
        ],
    },
}

LOST_REASONS = ["价格过高", "选择了竞争对手", "需求取消或推迟", "预算不足", "联系不上客户", "其他"]
