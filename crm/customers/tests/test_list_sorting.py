"""The customer list sorted by a column (keyset pages, rows without the key last), its capped
count, and the filters of the built-in views."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.core.errors import Invalid
from crm.customers import selectors
from crm.customers.models import Customer
from crm.customers.selectors import CustomerFilters
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

_GRADES = "OHABC"


@pytest.fixture
def book(org):
    """Seven of rep_a's customers: some followed up, some due, some graded, some none of it."""
    now = timezone.now()
    today = timezone.localdate()
    specs = [
        ("甲", "H", now - dt.timedelta(days=3), today - dt.timedelta(days=2)),
        ("乙", "", None, None),
        ("丙", "A", now - dt.timedelta(days=1), today + dt.timedelta(days=5)),
        ("丁", "H", now - dt.timedelta(days=3), today),  # same moment as 甲: the id decides
        ("戊", "C", None, today + dt.timedelta(days=1)),
        ("己", "", now - dt.timedelta(hours=2), None),
        ("庚", "O", None, None),
    ]
    rows = []
    for i, (name, grade, contact, due) in enumerate(specs):
        data = {"name": name}
        if grade:
            data.update(category="intention", grade=grade)
        c = make_customer(org.rep_a, **data)
        Customer.objects.filter(pk=c.pk).update(
            last_contact_at=contact,
            next_due_on=due,
            created_at=now - dt.timedelta(days=10 - i),
        )
        rows.append(Customer.objects.get(pk=c.pk))
    Customer.objects.filter(pk=rows[3].pk).update(last_contact_at=rows[0].last_contact_at)
    return {c.name: Customer.objects.get(pk=c.pk) for c in rows}


def walk(actor, sort, limit=2, **filters):
    """Every name of the list sorted by ``sort``, read page by page."""
    names, cursor = [], None
    for _ in range(50):
        page = selectors.customer_list(
            actor=actor, filters=CustomerFilters(sort=sort, **filters), cursor=cursor, limit=limit
        )
        names += [c.name for c in page.items]
        if page.next_cursor is None:
            return names
        cursor = page.next_cursor
    raise AssertionError("the pages never end")


def expected(book, field, descending, key=None):
    """The order the list promises: by the key (ties by id in the same direction; a grade's
    ties newest first), the rows without it last, newest first."""
    key = key or (lambda c: getattr(c, field))
    present = [c for c in book.values() if key(c) not in (None, "")]
    missing = [c for c in book.values() if key(c) in (None, "")]
    if field == "grade":
        present.sort(key=lambda c: (_GRADES.index(c.grade), -c.pk), reverse=False)
        if descending:
            present.sort(key=lambda c: (-_GRADES.index(c.grade), -c.pk))
    else:
        present.sort(key=lambda c: (key(c), c.pk), reverse=descending)
    missing.sort(key=lambda c: -c.pk)
    return [c.name for c in present + missing]


@pytest.mark.parametrize(("name", "field"), [(n, f) for n, (f, _k) in selectors.SORTS.items()])
@pytest.mark.parametrize("descending", [False, True])
def test_each_sort_walks_every_row_once_in_order_with_the_keyless_last(
    org, book, name, field, descending
):
    sort = f"-{name}" if descending else name
    # the owner is one rep here: the order is that of the ids within the owner
    assert walk(org.rep_a, sort) == expected(book, field, descending)
    assert walk(org.rep_a, sort, limit=100) == walk(org.rep_a, sort, limit=3)


def test_a_sorted_list_keeps_the_scope(org, book):
    make_customer(org.rep_b, name="别人的客户")
    assert "别人的客户" not in walk(org.rep_a, "-last_contact")
    assert "别人的客户" in walk(org.manager, "-last_contact")
    assert walk(org.rep_c, "grade") == []


@pytest.mark.parametrize(
    "cursor", ["abc", "n_", "_5", "1_2_3", "99999999999999999_1", "n_" + "9" * 19, "1.5_2"]
)
def test_a_forged_cursor_is_refused_as_invalid(org, book, cursor):
    with pytest.raises(Invalid):
        selectors.customer_list(
            actor=org.rep_a, filters=CustomerFilters(sort="next_due"), cursor=cursor
        )


@pytest.mark.parametrize("sort", ["last_contact", "-next_due", "grade", "-grade", "owner"])
@pytest.mark.parametrize("cursor", ["-9999999999999999_1", "9999999999999999_999", "n_1", "0_0"])
def test_a_cursor_out_of_range_names_a_place_not_an_error(org, book, sort, cursor):
    page = selectors.customer_list(
        actor=org.rep_a, filters=CustomerFilters(sort=sort), cursor=cursor
    )
    assert len(page.items) <= len(book)


def test_an_unknown_sort_is_the_default_order(org, book):
    assert walk(org.rep_a, "shoe_size") == walk(org.rep_a, "")


def test_the_count_is_exact_below_the_cap_and_scoped(org, book):
    assert selectors.customer_count(actor=org.rep_a, filters=CustomerFilters()) == (
        selectors.Count(7, True)
    )
    assert selectors.customer_count(actor=org.rep_b, filters=CustomerFilters()) == (
        selectors.Count(0, True)
    )
    graded = selectors.customer_count(actor=org.rep_a, filters=CustomerFilters(grade="H"))
    assert graded == selectors.Count(2, True)


def test_the_count_stops_at_the_cap(org, book, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    assert selectors.customer_count(actor=org.rep_a, filters=CustomerFilters()) == (
        selectors.Count(5, False)
    )


def test_a_text_search_is_not_counted(org, book):
    assert selectors.customer_count(actor=org.rep_a, filters=CustomerFilters(q="甲")) is None


def test_the_follow_up_and_creation_filters(org, book, clock):
    def names(**filters):
        return sorted(walk(org.rep_a, "", limit=100, **filters))

    assert names(follow="overdue") == ["甲"]
    assert names(follow="due") == ["丁", "甲"]
    assert names(follow="never") == ["乙", "庚", "戊"]
    assert names(grade="H", follow="due") == ["丁", "甲"]
    Customer.objects.filter(name="乙").update(created_at=timezone.now())
    week = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    entered = sorted(c.name for c in book.values() if timezone.localdate(c.created_at) >= week)
    assert names(created="week") == sorted({*entered, "乙"})


def test_mine_narrows_a_manager_to_their_own(org, book):
    make_customer(org.manager, name="经理自己的")
    assert walk(org.manager, "", mine=True) == ["经理自己的"]
