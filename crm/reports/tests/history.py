"""Making history through the real services (the ``history`` fixture, registered for every test
by the root conftest: the API and web tests of the reports use it too). Set the time with the
``clock`` fixture of ``crm.testing``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.activities import services
from crm.customers import lifecycle
from crm.customers.models import Customer, DefeatReason
from crm.customers.tests.factories import make_customer
from crm.testing import approved


class History:
    """Short verbs: ``history.customer(rep, "王先生", "H")``, ``history.follow(rep, c)``."""

    def customer(self, rep, name, grade="", **extra):
        category = "intention" if grade else extra.pop("category", "potential")
        return make_customer(rep, name=name, category=category, grade=grade, **extra)

    def follow(self, who, customer, kind="call", **extra):
        data = {"kind": kind, "content": "沟通购车意向", **extra}
        if kind == "visit":
            data.setdefault("place", "客户公司")
            data.setdefault("purpose", "送报价单")
        return services.followup_record(actor=who, customer_id=customer.pk, data=data)

    def move(self, who, customer, to, **extra):
        version = Customer.objects.get(pk=customer.pk).version
        return lifecycle.customer_transition(
            actor=who, customer_id=customer.pk, version=version, to=to, **extra
        )

    def regrade(self, who, customer, grade, reason="重新评估"):
        deposit = (
            {"deposit_amount": 5000, "deposit_on": timezone.localdate()} if grade == "O" else {}
        )
        return self.move(who, customer, "intention", grade=grade, reason=reason, **deposit)

    def deal(self, who, customer, day):
        return self.move(who, customer, "retained", deal_on=day)

    def defeat(self, who, customer, reason="价格", brand="", model="", tried="多次报价"):
        """A defeat as the showroom records it: the rep files it, the manager approves it."""
        reason_id = DefeatReason.objects.get(name=reason).pk
        return approved(
            self.move(
                who,
                customer,
                "defeated",
                reason="客户已购他牌",
                defeat={
                    "reason": reason_id,
                    "competitor_brand": brand,
                    "competitor_model": model,
                    "tried": tried,
                },
            )
        )


@pytest.fixture
def history():
    return History()
