"""The industry templates (issue 10, part 4): the seed's forms as data, field for field
(``/work/shared/seeds``: 成交客户信息登记表, 卡车销售大客户信息备案表, 外贸业务员必备-客户管理表,
客户管理全套表格, 客户订购登记表). A form is a dict: ``name``, ``description``, ``applies_to``
(customer categories), ``event``, ``sections`` (``title``, ``questions``: the fields of
``crm.questionnaires.inputs.QuestionInput``). ``INDUSTRIES``: the forms of each industry, for
the settings page and ``crm demo --industry``.

What the customer record already holds (name, phone, ID number, e-mail, bank account, contact
people with their phones) is not asked again: it stays in the record, encrypted and masked by
confidentiality level, rather than in free answers. Repeated tables (the truck account's people,
fleet by brand, the visit plan) are ``table`` questions with columns.
"""

from __future__ import annotations

from typing import Any

from . import auto, realestate, shop, trade, truck

INDUSTRIES: dict[str, dict[str, Any]] = {
    "auto": {"label": "汽车销售（客户管理全套表格）", "forms": auto.FORMS},
    "realestate": {"label": "房地产（成交客户信息登记表）", "forms": realestate.FORMS},
    "truck": {"label": "卡车销售（大客户信息备案表）", "forms": truck.FORMS},
    "trade": {"label": "外贸（意向客户、成交客户管理表）", "forms": trade.FORMS},
    "shop": {"label": "网店（客户订购登记表）", "forms": shop.FORMS},
}
