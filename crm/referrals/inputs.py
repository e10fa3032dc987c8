"""The declared inputs of 老带新 (docs/adr/0004): shared by the API, the web forms and the
services."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import NOT_BLANK, Choice, Day, Input, Integer, Money, Text, optional

from .choices import Party


class CardIssueInput(Input):
    """A card for a retained customer; left out, it is valid from today for the company's
    period (设置: 优惠卡有效期). ``valid_until`` is not before ``valid_from`` nor before today."""

    valid_from: Annotated[dt.date, Day()] | None = Field(None, description="生效日期")
    valid_until: Annotated[dt.date, Day()] | None = Field(None, description="有效期至")


class CardRevokeInput(Input):
    reason: Annotated[str, Text(500)] = optional("作废原因")


class LinkInput(Input):
    """The old customer who brought a new one: the card the new customer showed, or (the old
    customer came along) the old customer's number (客户编号, e.g. KH000123). One of the two:
    the card must exist, be valid today and not revoked; the old customer must be retained."""

    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["card_code"], "properties": {"card_code": {"pattern": NOT_BLANK}}},
                {
                    "required": ["referrer_number"],
                    "properties": {"referrer_number": {"pattern": NOT_BLANK}},
                },
            ]
        }
    }

    card_code: Annotated[str, Text(20)] = optional("老带新优惠卡号，如 LD000001")
    referrer_number: Annotated[str, Text(20)] = optional("陪同的老客户编号，如 KH000123")


class ConfirmInput(Input):
    party: Annotated[str, Choice(Party)] = Field(
        description="谁的确认：referrer 老客户，customer 新客户，manager 销售经理"
    )


class DeclineInput(Input):
    reason: Annotated[
        str, Text(500, required=True, message=gettext_noop("请填写不予认定的原因"))
    ] = Field(description="不予认定的原因")


class ReferralSettingsInput(Input):
    """The company's terms: how long a card is valid, what the old customer gets."""

    card_valid_days: Annotated[int, Integer(1, 3650)] = Field(180, description="优惠卡有效期（天）")
    reward_amount: Annotated[decimal.Decimal, Money(10**10)] | None = Field(
        None, description="奖励金额（元）；null 为无现金奖励"
    )
    reward_description: Annotated[str, Text(200)] = optional("奖励内容，如 一年物业费")
