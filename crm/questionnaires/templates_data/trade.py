"""外贸业务员必备 - 客户管理表: the intention table (an inquiry and its follow-up) and the deal
table (an order)."""

from __future__ import annotations

from typing import Any

FORMS: list[dict[str, Any]] = [
    {
        "name": "意向客户管理表",
        "description": "询盘客户：询盘、回盘、二次跟进和报价。若有信息变动，别忘记更新。",
        "applies_to": ["potential", "intention"],
        "event": "none",
        "sections": [
            {
                "title": "客户",
                "questions": [
                    {"kind": "text", "label": "公司名称", "required": True},
                    {"kind": "text", "label": "联系人"},
                    {"kind": "text", "label": "国家"},
                    {
                        "kind": "single",
                        "label": "公司性质",
                        "choices": ["经销商", "批发商", "零售商", "进口商", "生产商", "其他"],
                    },
                ],
            },
            {
                "title": "询盘与跟进",
                "questions": [
                    {"kind": "date", "label": "询盘日期"},
                    {"kind": "date", "label": "回盘日期"},
                    {"kind": "date", "label": "二次跟进时间"},
                    {"kind": "text", "label": "询问产品"},
                    {"kind": "number", "label": "买家询问数量"},
                    {"kind": "text", "label": "报价", "help": "如 USD3.4 FOB shanghai"},
                    {"kind": "yesno", "label": "是否寄样"},
                    {"kind": "yesno", "label": "是否成交"},
                    {"kind": "text", "label": "备注", "help": "客户的性格、爱好、习惯"},
                ],
            },
        ],
    },
    {
        "name": "成交客户管理表",
        "description": "成交订单：日期、产品、款号、数量和单价。",
        "applies_to": ["retained"],
        "event": "deal",
        "sections": [
            {
                "title": "订单",
                "questions": [
                    {"kind": "date", "label": "订单日期", "required": True},
                    {"kind": "text", "label": "成交产品"},
                    {"kind": "text", "label": "款号"},
                    {"kind": "number", "label": "成交数量"},
                    {"kind": "text", "label": "单价", "help": "如 USD3.0"},
                    {"kind": "text", "label": "价格条款", "help": "如 FOB shanghai"},
                    {"kind": "text", "label": "备注"},
                ],
            }
        ],
    },
]
