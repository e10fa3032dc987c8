"""The declared inputs of the reception desk (see ``crm.core.inputs``): a registration (来店/
来电客户登记表), a rep's status in the rotation, the order of the rotation, a poaching complaint
and its finding. The API, the web forms and the services take their fields from here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Day, Input, Integer, Moment, Phone, Text
from crm.customers.inputs import SourceCode

from .choices import Channel, ComplaintKind, Finding, Penalty, SeatStatus

Id = Annotated[int, Integer(1, MAX_ID)]
PARTY_MAX = 50
ROTATION_MAX = 100  # seats at one desk


class LookupInput(Input):
    """来过吗？谁接待过？: the caller's phone number, or the customer number the visitor shows."""

    query: Annotated[
        str, Text(30, required=True, message=gettext_noop("请输入来电号码或客户编号"))
    ] = Field(description="电话号码或客户编号（如 13812345678、KH000123）")


class VisitInput(Input):
    """One line of the 来店/来电客户登记表. ``customer`` is the returning customer the lookup
    found (by number, when there is no phone); ``named_rep``: the rep a first-time customer
    asked for at the door; ``helper``: who serves a returning customer whose owner is not free
    (default: the rep next in line, without using their turn)."""

    channel: Annotated[str, Choice(Channel, message=gettext_noop("请选择来店或来电"))]
    at: Annotated[dt.datetime, Moment()] | None = Field(None, description="默认为现在")
    name: Annotated[str, Text(100, required=True, message=gettext_noop("请填写客户姓名"))]
    phone: Phone = ""
    party_size: Annotated[int, Integer(1, PARTY_MAX)] = 1
    interest: Annotated[str, Text(200)] = ""
    source: Annotated[str, SourceCode()] = ""
    named_rep: Id | None = Field(None, description="客户进门指定的销售顾问（用户 id）")
    customer: Id | None = Field(None, description="查询到的老客户 id")
    helper: Id | None = Field(None, description="代为接待老客户的销售顾问（用户 id）")
    referral_card: Annotated[str, Text(30)] = ""
    notes: Annotated[str, Text(500, area=True)] = ""
    department: Id | None = Field(None, description="接待台（部门 id），默认为本人部门")


class SeatStatusInput(Input):
    status: Annotated[str, Choice(SeatStatus, message=gettext_noop("请选择状态"))]


class RotationInput(Input):
    """The rotation's order: the reps' user ids, first to last (those left out leave it)."""

    users: list[Id] = Field(
        default_factory=list, max_length=ROTATION_MAX, json_schema_extra={"uniqueItems": True}
    )


class ComplaintInput(Input):
    kind: Annotated[str, Choice(ComplaintKind, message=gettext_noop("请选择投诉类型"))]
    accused: Id
    occurred_on: Annotated[dt.date, Day()] | None = Field(None, description="默认为今天")
    customer: Id | None = None
    description: Annotated[
        str, Text(2000, required=True, area=True, message=gettext_noop("请填写经过"))
    ]


class ComplaintDecisionInput(Input):
    """The manager's finding; an upheld complaint names its penalty."""

    model_config = {
        "json_schema_extra": {
            "if": {"properties": {"state": {"const": Finding.UPHELD}}, "required": ["state"]},
            "then": {
                "required": ["penalty"],
                "properties": {"penalty": {"enum": [p for p in Penalty.values if p]}},
            },
        }
    }

    state: Annotated[str, Choice(Finding, message=gettext_noop("请选择属实或不属实"))]
    finding: Annotated[
        str, Text(2000, required=True, area=True, message=gettext_noop("请填写查处意见"))
    ]
    penalty: Annotated[str, Choice(Penalty, blank=True)] = ""
