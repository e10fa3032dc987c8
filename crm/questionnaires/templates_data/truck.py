"""卡车销售大客户信息备案表 (truck key accounts) and its variants 自卸车大客户档案信息 and
危险品牵引车大客户档案信息: the account, its people by role, its transport business, its fleet by
brand, its purchase plan and the visit plan table."""

from __future__ import annotations

from typing import Any

PEOPLE_HELP = (
    "董事长/老板、总经理、车队管理、主要人员各一行；电话登记在客户的“联系人”中（加密保存）"
)


def _form(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "applies_to": [],
        "event": "visit",
        "sections": [
            {
                "title": "客户信息",
                "questions": [
                    {"kind": "text", "label": "客户名称", "required": True},
                    {"kind": "text", "label": "办公地点"},
                    {
                        "kind": "table",
                        "label": "联系人（核心人员）",
                        "columns": ["角色", "姓名", "年龄", "性别"],
                        "help": PEOPLE_HELP,
                    },
                    {"kind": "text", "label": "核心人员爱好"},
                ],
            },
            {
                "title": "运输业务",
                "questions": [
                    {"kind": "text", "label": "运输货物"},
                    {"kind": "text", "label": "运输路线"},
                    {"kind": "text", "label": "货源"},
                    {"kind": "number", "label": "年运输量", "help": "万吨"},
                ],
            },
            {
                "title": "车辆与购车计划",
                "questions": [
                    {"kind": "table", "label": "车辆（按品牌）", "columns": ["品牌", "数量"]},
                    {"kind": "text", "label": "购车计划"},
                ],
            },
            {
                "title": "拜访计划表",
                "questions": [
                    {
                        "kind": "table",
                        "label": "拜访计划",
                        "columns": ["时间", "拜访人", "核心洽谈内容", "成交障碍", "应对"],
                    }
                ],
            },
        ],
    }


FORMS: list[dict[str, Any]] = [
    _form(
        "卡车销售大客户信息备案表",
        "物流、运输企业大客户的备案：核心人员、运输业务、车队和拜访计划。",
    ),
    _form("自卸车大客户档案信息", "自卸车（工程、渣土运输）大客户档案。"),
    _form("危险品牵引车大客户档案信息", "危险品运输牵引车大客户档案。"),
]
