"""The demo company that ``make run`` loads on the first start (``crm demo``): written in bulk,
it must be what the services would have made (due dates, plans, events, analyses, the search
index, the audit rows), live in working hours whenever it is loaded, and name real competitors.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.utils import timezone

from crm import demo
from crm.accounts.demo import DEMO_PASSWORD
from crm.accounts.models import User
from crm.activities import services as activities
from crm.activities.models import FollowUp, Notification, Plan
from crm.core.models import diff
from crm.customers import lifecycle, search, selectors
from crm.customers.models import Contact, Customer, DefeatAnalysis, LifecycleEvent
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def local_time(moment: dt.datetime) -> dt.time:
    return timezone.localtime(moment).time()


def in_working_hours(moment: dt.datetime) -> bool:
    return demo.WORK_START <= local_time(moment) <= demo.WORK_END


@pytest.mark.parametrize(("hour", "minute"), [(23, 30), (3, 0), (8, 15), (14, 0)])
def test_the_demo_lives_in_working_hours_whenever_it_is_loaded(clock, hour, minute):
    # when the demo is loaded late at night (or early, or in the afternoon)
    now = clock(MONDAY, hour, minute)
    demo.load(customers=120)

    # then customers came, were called and visited, bought and were lost in working hours, all
    # before now
    for at in [
        *Customer.objects.values_list("created_at", flat=True),
        *FollowUp.objects.values_list("occurred_at", flat=True),
        *LifecycleEvent.objects.values_list("at", flat=True),
    ]:
        assert in_working_hours(at), timezone.localtime(at)
        assert at <= now
    # and every plan and callback is for working hours; the plans still open lie ahead
    plans = list(Plan.objects.all())
    assert len(plans) > 10
    for plan in plans:
        assert in_working_hours(plan.planned_at), timezone.localtime(plan.planned_at)
        if plan.kind == "follow_up":
            assert plan.planned_at > now


def test_a_competitor_is_a_brand_with_one_of_its_own_models():
    demo.load(customers=150)
    pairs = list(DefeatAnalysis.objects.values_list("competitor_brand", "competitor_model"))
    assert len(pairs) >= 5
    for brand, model in pairs:
        assert model in demo.BRANDS[brand], (brand, model)
    # no model is sold under two brands (a 吉利 凯美瑞 cannot be drawn)
    models = [m for ms in demo.BRANDS.values() for m in ms]
    assert len(models) == len(set(models))
    assert "凯美瑞" in demo.BRANDS["丰田"]


def test_crm_demo_shows_its_progress_in_counted_steps():
    out = io.StringIO()
    call_command("demo", "--customers", "30", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("载入演示公司（30 个客户）")
    steps = [line.strip() for line in lines if line.strip().startswith("[")]
    total = len(demo.STEPS)
    assert [s.split("]")[0] + "]" for s in steps] == [f"[{n}/{total}]" for n in range(1, 8)]
    assert all(s.endswith(" s") for s in steps)  # each says how long it took
    assert "30 customers added" in lines[-1]


def test_the_demo_users_sign_in_with_the_demo_password_and_were_audited():
    users, created = demo.load(customers=10)
    assert (users, created) == (18, 10)
    assert all(check_password(DEMO_PASSWORD, u.password) for u in User.objects.all())
    assert AuditEvent.objects.filter(verb="user.created").count() == 18


# --- what the services would have made ------------------------------------------------------


@pytest.fixture
def company(clock):
    clock(MONDAY, 11)
    demo.load(customers=150)
    return list(Customer.objects.prefetch_related("tags"))


def test_every_demo_customer_has_the_follow_up_state_the_services_keep(company):
    table = lifecycle.cadence_table()
    for c in company:
        assert c.number == f"KH{c.pk:06d}"
        counted = FollowUp.objects.filter(customer=c, counted=True).order_by("-occurred_at")
        assert c.last_contact_at == (counted[0].occurred_at if counted else None)
        assert c.next_plan_on == activities.earliest_open_plan_on(c)
        assert c.next_due_on == lifecycle.compute_due(c, table)
        if c.category == "intention":
            assert c.graded_at == c.created_at
    # the Today page has work on the first day
    today = timezone.localdate()
    assert any(c.next_due_on and c.next_due_on < today for c in company)
    assert any(c.next_due_on == today for c in company)


def test_deals_have_their_callbacks_and_defeats_their_analyses(company):
    offsets = lifecycle.lifecycle_settings().callback_offsets
    for c in company:
        events = list(LifecycleEvent.objects.filter(customer=c).order_by("at"))
        if c.category in ("potential", "base"):
            assert events == []
            continue
        entry = events[0]  # entered as an intention customer, when registered
        assert (entry.from_category, entry.to_category, entry.at) == ("", "intention", c.created_at)
        assert entry.owner_id == c.owner_id
        if c.category == "retained":
            assert [(e.from_category, e.to_category) for e in events[1:]] == [
                ("intention", "retained")
            ]
            assert timezone.localdate(c.created_at) <= c.deal_on <= timezone.localdate()
            callbacks = Plan.objects.filter(customer=c, kind="callback").order_by("planned_at")
            assert [timezone.localdate(p.planned_at) for p in callbacks] == [
                c.deal_on + dt.timedelta(days=d) for d in offsets
            ]
            for p in callbacks.filter(status="done"):
                made = p.fulfilled_by
                assert made is not None
                assert made.kind == "callback"
                assert made.satisfaction is not None
        if c.category == "defeated":
            analysis = DefeatAnalysis.objects.get(customer=c)
            assert analysis.event == events[-1]
            assert (analysis.event.from_category, analysis.event.to_category) == (
                "intention",
                "defeated",
            )
            assert analysis.tried
            assert not Plan.objects.filter(customer=c, status__in=["planned", "missed"]).exists()
    # callbacks left undone past their grace period are missed, and their owners were told
    missed = Plan.objects.filter(status="missed")
    assert missed.exists()
    for plan in missed:
        assert Notification.objects.filter(
            user=plan.assignee, customer=plan.customer, kind="plans_missed"
        ).exists()


def test_the_demo_is_in_the_search_index(org, company):
    sample = company[::15]
    for c in sample:
        ids = search.matching_ids(search.parse(c.phone[-8:]), before=None, limit=10)
        assert c.pk in ids
        found = selectors.customer_list(
            actor=org.data_admin, filters=selectors.CustomerFilters(q=c.name)
        ).items
        assert c in found
        # the owner finds the customer too: the document carries the scope a rep's search reads
        assert c.owner is not None
        own = selectors.customer_list(actor=c.owner, filters=selectors.CustomerFilters(q=c.name))
        assert c in own.items
    contact = Contact.objects.first()
    assert contact is not None
    by_contact = search.matching_ids(search.parse(contact.phone), before=None, limit=10)
    assert contact.customer_id in by_contact


def test_the_demo_wrote_the_audit_rows_the_services_write(company):
    rows = AuditEvent.objects.filter(object_type="customers.customer")
    verbs = Counter(rows.values_list("verb", flat=True))
    assert verbs["customer.created"] == len(company)
    assert verbs["customer.followed_up"] == FollowUp.objects.count()
    assert verbs["customer.contact_added"] == Contact.objects.count()
    assert verbs["customer.category_changed"] == (
        LifecycleEvent.objects.exclude(from_category="").count()
    )
    assert verbs["customer.plan_added"] == Plan.objects.filter(kind="follow_up").count()
    assert set(rows.values_list("job_id", flat=True)) == {"demo"}
    for c in company:
        created = rows.get(verb="customer.created", object_id=str(c.pk))
        assert created.actor_id == c.owner_id
        assert created.object_repr == str(c)
        if c.category in ("potential", "base", "intention"):
            # what customer_create records: the record as entered
            assert created.changes == diff(None, c.snapshot())
        else:
            # entered as an intention customer, then the deal or the defeat
            changed = rows.get(verb="customer.category_changed", object_id=str(c.pk))
            assert changed.changes["category"] == ["intention", c.category]
            assert created.changes["category"] == [None, "intention"]
            assert changed.reason
    followed = rows.filter(verb="customer.followed_up").first()
    assert followed is not None
    assert set(followed.changes) == {"followup.kind", "followup.content", "followup.counted"}
    assert followed.changes["followup.counted"] == [None, True]
    contact = rows.filter(verb="customer.contact_added").first()
    assert contact is not None
    assert {"contact.name", "contact.phone", "contact.role"} <= set(contact.changes)
    assert contact.reason == contact.changes["contact.name"][1]


def test_the_demo_months_contact_figures_are_kept_as_the_services_would(company):
    from crm.accounts.models import User
    from crm.reports import contact_status
    from crm.reports import selectors as reports

    gm = User.objects.get(username="gm")
    kept = reports.contact_status_report(actor=gm)
    assert kept.total.required > 0
    contact_status.keep_month(kept.month, again=True)  # recomputed from scratch
    again = reports.contact_status_report(actor=gm)
    assert (again.total.required, again.total.done) == (kept.total.required, kept.total.done)


def test_the_demo_front_desk_has_registered_the_days_first_returning_customers(company):
    from crm.reception import selectors as reception
    from crm.reception.models import Seat, Visit

    # loaded on a Monday at 11:00: three returning customers came or called this morning, each
    # to their own rep, who is back at the rotation
    front = User.objects.get(username="front")
    today = timezone.localdate()
    summary = reception.daily_summary(actor=front, start=today, end=today)
    assert (summary.total["returning"], summary.total["visit"], summary.total["call"]) == (3, 2, 1)
    for visit in Visit.objects.select_related("customer"):
        assert visit.owner_id == visit.customer.owner_id == visit.served_by_id
        assert dt.time(9) <= timezone.localtime(visit.at).time() < dt.time(11)
    assert set(Seat.objects.values_list("status", flat=True)) == {"on_duty"}


def test_a_demo_loaded_before_opening_time_still_shows_the_desks_day(clock):
    from crm.reception import selectors as reception

    clock(MONDAY, 7)
    demo.load(customers=30)
    today = timezone.localdate()
    front = User.objects.get(username="front")
    summary = reception.daily_summary(actor=front, start=today, end=today)
    assert summary.total["returning"] == 3
