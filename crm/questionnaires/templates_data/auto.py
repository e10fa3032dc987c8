"""客户管理全套表格: 客户信息登记表, 客户跟进计划表, 客户服务记录表 (customer number, name and
phone are the customer record's)."""

from __future__ import annotations

from typing import Any

FORMS: list[dict[str, Any]] = [
    {
        "name": "客户信息登记表",
        "description": "客户编号、姓名、联系方式见客户档案。",
        "applies_to": [],
        "event": "none",
        "sections": [
            {
                "title": "客户信息",
                "questions": [
                    {"kind": "text", "label": "地址"},
                    {"kind": "text", "label": "公司名称", "help": "如适用"},
                    {"kind": "text", "label": "公司地址", "help": "如适用"},
                    {"kind": "text", "label": "公司规模", "help": "员工人数、年营业额等"},
                    {"kind": "text", "label": "主要业务"},
                    {"kind": "text", "label": "客户需求", "help": "简述客户的主要需求"},
                    {"kind": "text", "label": "客户反馈"},
                    {"kind": "text", "label": "跟进记录", "help": "与客户沟通的跟进情况"},
                ],
            }
        ],
    },
    {
        "name": "客户跟进计划表",
        "description": "计划跟进的日期、方式、内容和人员。",
        "applies_to": ["potential", "base", "intention"],
        "event": "none",
        "sections": [
            {
                "title": "跟进计划",
                "questions": [
                    {"kind": "date", "label": "跟进日期", "required": True},
                    {
                        "kind": "single",
                        "label": "跟进方式",
                        "choices": ["电话", "邮件", "面谈", "微信", "其他"],
                    },
                    {"kind": "text", "label": "跟进内容"},
                    {"kind": "text", "label": "跟进人员"},
                ],
            }
        ],
    },
    {
        "name": "客户服务记录表",
        "description": "提供的服务与客户满意度。",
        "applies_to": ["retained"],
        "event": "visit",
        "sections": [
            {
                "title": "服务记录",
                "questions": [
                    {"kind": "date", "label": "服务日期", "required": True},
                    {"kind": "text", "label": "服务内容"},
                    {"kind": "text", "label": "服务人员"},
                    {
                        "kind": "single",
                        "label": "客户满意度",
                        "choices": ["非常满意", "满意", "一般", "不满意", "非常不满意"],
                    },
                ],
            }
        ],
    },
]
