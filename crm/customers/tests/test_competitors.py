"""竞品 from a list that grows as people type: one brand, one spelling, so the defeat report does
not split a brand into its spellings."""

from __future__ import annotations

from crm.customers import competitors
from crm.customers.models import Competitor, DefeatReason
from crm.customers.tests.factories import make_customer
from crm.reports import selectors as reports
from crm.testing import approved


def lose(org, name, brand, model):
    from crm.customers import lifecycle

    c = make_customer(org.rep_a, name=name, category="intention", grade="B")
    reason = DefeatReason.objects.get(name="竞品产品")
    return approved(
        lifecycle.customer_transition(
            actor=org.rep_a,
            customer_id=c.pk,
            version=c.version,
            to="defeated",
            defeat={
                "reason": reason.pk,
                "tried": "试驾",
                "competitor_brand": brand,
                "competitor_model": model,
            },
        )
    )


def test_one_brand_is_counted_once_however_it_was_typed(org):
    lose(org, "甲", "Toyota", "凯美瑞")
    lose(org, "乙", " ＴＯＹＯＴＡ ", "凯美瑞")
    lose(org, "丙", "toyota", "RAV4 荣放")
    report = reports.defeat_report(actor=org.manager)
    assert sorted((t.label, t.detail, t.count) for t in report.by_competitor) == [
        ("Toyota", "RAV4 荣放", 1),
        ("Toyota", "凯美瑞", 2),
    ]
    assert competitors.competitor_list() == {"Toyota": ["RAV4 荣放", "凯美瑞"]}


def test_the_list_is_offered_while_typing(as_user, org, call):
    lose(org, "甲", "本田", "雅阁")
    c = make_customer(org.rep_a, name="丁", category="intention", grade="B")
    page = as_user(org.rep_a).get(f"/customers/{c.pk}/transition/").content.decode()
    assert 'list="competitor-brands"' in page
    assert '<option value="本田">' in page
    assert '<option value="雅阁" label="本田">' in page
    assert call(org.rep_a, "GET", "competitors").json() == [{"brand": "本田", "models": ["雅阁"]}]


def test_a_blank_competitor_adds_nothing(org):
    lose(org, "甲", "", "")
    assert not Competitor.objects.exists()
