"""客户关怀: birthday and deal-anniversary reminders, care campaigns with tracked responses."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.care import caring, selectors
from crm.care.models import CampaignTarget
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers import listviews
from crm.customers import services as customer_services
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

from .factories import retained

pytestmark = pytest.mark.django_db


def _born(org, customer, month, day, year=None, contact=None, actor=None):
    return caring.birthday_set(
        actor=actor or org.rep_a,
        customer_id=customer.pk,
        data={"month": month, "day": day, "year": year, "contact": contact},
    )


def test_the_birthday_list_runs_across_the_end_of_the_year(org, clock):
    clock(dt.date(2026, 12, 28))
    december = make_customer(org.rep_a, name="腊月")
    january = make_customer(org.rep_a, name="正月")
    later = make_customer(org.rep_a, name="二月")
    past = make_customer(org.rep_a, name="已过")
    _born(org, december, 12, 30, 1980)
    _born(org, january, 1, 3, 1990)
    _born(org, later, 2, 1)
    _born(org, past, 12, 27)

    rows = selectors.birthdays(actor=org.rep_a, days=7)

    assert [(r.who, r.on, r.years) for r in rows] == [
        ("腊月", dt.date(2026, 12, 30), 46),
        ("正月", dt.date(2027, 1, 3), 37),
    ]


def test_a_birthday_on_29_february_is_remembered_on_the_28th(org, clock):
    clock(dt.date(2027, 2, 27))
    leap = make_customer(org.rep_a, name="闰日")
    _born(org, leap, 2, 29, 2000)

    rows = selectors.birthdays(actor=org.rep_a, days=3)

    assert [(r.who, r.on) for r in rows] == [("闰日", dt.date(2027, 2, 28))]


def test_contacts_birthdays_are_listed_with_their_names(org, clock):
    clock(dt.date(2026, 6, 1))
    company = make_customer(org.rep_a, name="星河机械", kind="organization")
    boss = customer_services.contact_create(
        actor=org.rep_a, customer_id=company.pk, data={"name": "王总", "role": "general_manager"}
    )

    _born(org, company, 6, 2, contact=boss.pk)

    rows = selectors.birthdays(actor=org.rep_a, days=5)
    assert [(r.who, r.customer.name) for r in rows] == [("王总", "星河机械")]
    assert AuditEvent.objects.filter(verb="customer.birthday_set").count() == 1


def test_the_birthday_list_is_in_the_readers_scope(org, clock):
    clock(dt.date(2026, 6, 1))
    _born(org, make_customer(org.rep_a, name="甲"), 6, 3)
    _born(org, make_customer(org.rep_c, name="丙"), 6, 3, actor=org.rep_c)

    assert [r.who for r in selectors.birthdays(actor=org.rep_a, days=5)] == ["甲"]
    assert [r.who for r in selectors.birthdays(actor=org.manager, days=5)] == ["甲"]
    assert sorted(r.who for r in selectors.birthdays(actor=org.gm, days=5)) == ["丙", "甲"]


def test_a_birthday_is_set_again_not_twice_and_checked(org, clock):
    clock(dt.date(2026, 6, 1))
    customer = make_customer(org.rep_a, name="甲")
    _born(org, customer, 6, 3)
    _born(org, customer, 7, 4)

    assert [
        (b.month, b.day) for b in selectors.birthdays_of(actor=org.rep_a, customer_id=customer.pk)
    ] == [(7, 4)]
    with pytest.raises(Invalid):
        _born(org, customer, 2, 30)
    with pytest.raises(Invalid):
        _born(org, customer, 6, 3, 2030)
    with pytest.raises(NotFound):
        _born(org, customer, 6, 3, actor=org.rep_b)


def test_deal_anniversaries_count_the_years_and_skip_this_years_deals(org, clock):
    clock(dt.date(2026, 12, 30))
    old = retained(org.rep_a, dt.date(2023, 1, 2), name="老车主")
    retained(org.rep_a, dt.date(2026, 12, 29), name="新车主")

    rows = selectors.anniversaries(actor=org.rep_a, days=5)

    assert [(r.customer.pk, r.on, r.years) for r in rows] == [(old.pk, dt.date(2027, 1, 2), 4)]


# --- campaigns ------------------------------------------------------------------------------


@pytest.fixture
def campaign(org, clock):
    clock(dt.date(2026, 12, 1))
    retained(org.rep_a, dt.date(2026, 3, 1), name="一部车主")
    retained(org.rep_c, dt.date(2026, 3, 2), name="二部车主")
    make_customer(org.rep_a, name="意向客户", category="intention", grade="B")
    return caring.campaign_start(
        actor=org.service_staff,
        data={"title": "冬季免费检测", "kind": "service", "filter": {"category": "retained"}},
    )


def test_a_campaign_targets_the_segment_of_the_list(org, campaign):
    names = sorted(t.customer.name for t in campaign.targets.all())

    assert names == ["一部车主", "二部车主"]
    assert campaign.target_count == 2
    event = AuditEvent.objects.get(verb="care_campaign.started")
    assert event.details["count"] == 2


def test_a_campaign_from_a_saved_view_takes_the_starters_scope(org, clock):
    clock(dt.date(2026, 12, 1))
    retained(org.rep_a, dt.date(2026, 3, 1), name="一部车主")
    retained(org.rep_c, dt.date(2026, 3, 2), name="二部车主")
    view = listviews.view_save(
        actor=org.manager, name="保有客户", params={"category": "retained"}, columns=[]
    )

    started = caring.campaign_start(
        actor=org.manager, data={"title": "元旦问候", "kind": "holiday", "view": view.pk}
    )

    assert [t.customer.name for t in started.targets.all()] == ["一部车主"]
    assert started.criteria["view"] == "保有客户"


def test_each_records_the_responses_of_their_own_customers(org, campaign):
    mine = CampaignTarget.objects.get(campaign=campaign, customer__owner=org.rep_a)
    other = CampaignTarget.objects.get(campaign=campaign, customer__owner=org.rep_c)

    caring.target_record(
        actor=org.rep_a,
        campaign_id=campaign.pk,
        target_id=mine.pk,
        data={"state": "responded", "note": "周六来店"},
    )

    mine.refresh_from_db()
    assert (mine.state, mine.note, mine.updated_by) == ("responded", "周六来店", org.rep_a)
    with pytest.raises(NotFound):
        caring.target_record(
            actor=org.rep_a, campaign_id=campaign.pk, target_id=other.pk, data={"state": "declined"}
        )
    assert selectors.campaign_counts(actor=org.rep_a, campaign=campaign) == {
        "pending": 0,
        "contacted": 0,
        "responded": 1,
        "declined": 0,
    }
    assert (
        AuditEvent.objects.get(verb="care_campaign.responded").details["customer"]
        == mine.customer_id
    )


def test_a_closed_campaign_takes_no_more_responses(org, campaign):
    caring.campaign_close(actor=org.service_staff, campaign_id=campaign.pk)
    target = campaign.targets.first()

    with pytest.raises(StateConflict):
        caring.target_record(
            actor=org.service_staff,
            campaign_id=campaign.pk,
            target_id=target.pk,
            data={"state": "contacted"},
        )
    with pytest.raises(StateConflict):
        caring.campaign_close(actor=org.service_staff, campaign_id=campaign.pk)


def test_reps_do_not_start_campaigns_and_empty_segments_are_refused(org, campaign):
    with pytest.raises(PermissionDenied):
        caring.campaign_start(actor=org.rep_a, data={"title": "x"})
    with pytest.raises(Invalid):
        caring.campaign_start(
            actor=org.service_staff, data={"title": "空", "filter": {"q": "不存在的客户名"}}
        )
