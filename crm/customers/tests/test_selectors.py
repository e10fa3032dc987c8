"""Data scopes (客户数据管理规定): a rep sees own customers, a manager the department's, the
data-management department and the general manager all; the system administrator none."""

from __future__ import annotations

import pytest

from crm.accounts import services as accounts
from crm.core.errors import Invalid, NotFound
from crm.customers import selectors
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    return {
        "a": make_customer(org.rep_a, name="甲"),
        "b": make_customer(org.rep_b, name="乙"),
        "c": make_customer(org.rep_c, name="丙"),
    }


def visible(actor):
    page = selectors.customer_list(actor=actor, filters=selectors.CustomerFilters(), limit=100)
    return sorted(c.name for c in page.items)


def test_each_role_sees_its_scope(org, book):
    assert visible(org.rep_a) == ["甲"]
    assert visible(org.rep_b) == ["乙"]
    assert visible(org.rep_c) == ["丙"]
    assert visible(org.manager) == ["乙", "甲"]
    assert visible(org.manager2) == ["丙"]
    assert visible(org.data_admin) == ["丙", "乙", "甲"]
    assert visible(org.gm) == ["丙", "乙", "甲"]
    assert visible(org.sysadmin) == []


def test_manager_of_a_parent_department_sees_sub_departments(org, book):
    team = accounts.department_ensure(name="销售一部一组", parent=org.sales1)
    rep_d = accounts.user_create(
        actor=None,
        username="rep_d",
        password="x",
        role="rep",
        department=team,
        validate_password=False,
    )
    make_customer(rep_d, name="丁")
    assert visible(org.manager) == ["丁", "乙", "甲"]
    assert visible(org.manager2) == ["丙"]


def test_out_of_scope_detail_is_not_found(org, book):
    with pytest.raises(NotFound):
        selectors.customer_get(actor=org.rep_c, customer_id=book["a"].pk)
    with pytest.raises(NotFound):
        selectors.customer_get(actor=org.rep_a, customer_id=book["b"].pk)
    assert selectors.customer_get(actor=org.manager, customer_id=book["b"].pk).name == "乙"


def test_deactivated_user_sees_nothing(org, book):
    org.rep_a.is_active = False
    assert visible(org.rep_a) == []


def test_filters(org):
    make_customer(org.rep_a, name="意向甲", category="intention", grade="H", tags=["VIP"])
    make_customer(org.rep_a, name="意向乙", category="intention", grade="C")
    make_customer(org.rep_b, name="保有丙", category="retained")

    def names(**f):
        page = selectors.customer_list(actor=org.manager, filters=selectors.CustomerFilters(**f))
        return sorted(c.name for c in page.items)

    assert names(category="intention") == ["意向乙", "意向甲"]
    assert names(grade="H") == ["意向甲"]
    assert names(owner=org.rep_b.pk) == ["保有丙"]
    assert names(tag="VIP") == ["意向甲"]


def test_cursor_pages_are_newest_first_and_complete(org):
    made = [make_customer(org.rep_a, name=f"客户{i}").pk for i in range(7)]
    seen, cursor = [], None
    while True:
        page = selectors.customer_list(
            actor=org.rep_a, filters=selectors.CustomerFilters(), cursor=cursor, limit=3
        )
        seen += [c.pk for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(made, reverse=True)


def test_a_forged_cursor_is_refused_clearly(org):
    with pytest.raises(Invalid) as err:
        selectors.customer_list(actor=org.rep_a, filters=selectors.CustomerFilters(), cursor="!!")
    assert "cursor" in err.value.fields


def test_list_query_count_does_not_grow_with_rows(org, django_assert_max_num_queries):
    for i in range(25):
        make_customer(org.manager, name=f"客户{i}", tags=["VIP"])
    org.manager.__dict__.pop("_scope_department_ids", None)
    org.manager.__dict__.pop("_shared_ids", None)
    # the department subtree, the customers shared with the manager, the page and its tags
    with django_assert_max_num_queries(4):
        page = selectors.customer_list(actor=org.manager, filters=selectors.CustomerFilters())
        [(c.owner and c.owner.display_name, [t.name for t in c.tags.all()]) for c in page.items]
