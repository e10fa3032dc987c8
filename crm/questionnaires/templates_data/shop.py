"""客户订购登记表: the order, its details, the payment and the invoicing information (the bank
account is the customer record's, encrypted)."""

from __future__ import annotations

from typing import Any

FORMS: list[dict[str, Any]] = [
    {
        "name": "客户订购登记表",
        "description": "请仔细填写相关信息。姓名、联系电话、银行账号见客户档案（加密保存）。",
        "applies_to": [],
        "event": "deal",
        "sections": [
            {
                "title": "1. 客户信息",
                "questions": [
                    {"kind": "text", "label": "公司名称"},
                ],
            },
            {
                "title": "2. 订购产品信息",
                "questions": [
                    {"kind": "text", "label": "产品名称", "required": True},
                    {"kind": "number", "label": "订购数量", "required": True},
                    {"kind": "date", "label": "期望交付日期"},
                ],
            },
            {
                "title": "3. 订单细则",
                "questions": [
                    {
                        "kind": "text",
                        "label": "订单细则",
                        "help": "产品规格、颜色、尺寸、其他定制要求等",
                    },
                ],
            },
            {
                "title": "4. 付款方式",
                "questions": [
                    {
                        "kind": "single",
                        "label": "付款方式",
                        "choices": ["线上支付", "银行转账", "现金支付"],
                    }
                ],
            },
            {
                "title": "5. 开票信息",
                "questions": [
                    {"kind": "text", "label": "开票公司名称"},
                    {"kind": "text", "label": "纳税人识别号"},
                    {"kind": "text", "label": "公司地址"},
                    {"kind": "text", "label": "开户银行"},
                ],
            },
            {"title": "6. 其他", "questions": [{"kind": "text", "label": "其他备注"}]},
        ],
    }
]
