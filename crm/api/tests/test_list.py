"""The customer list: cursor pages, one-box search, and a query count that does not grow."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crm.customers import services
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def walk(call, actor, query: str, limit: int) -> list[list[int]]:
    """Follow next_cursor from the first page to the last; the ids of each page."""
    pages: list[list[int]] = []
    cursor = ""
    while True:
        response = call(actor, "GET", f"customers?{query}&limit={limit}&cursor={cursor}")
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the cursor does not advance"


# --- pagination ---------------------------------------------------------------------------------


def test_cursor_walks_every_customer_once_newest_first(org, call):
    # given 23 customers of rep_a and 5 of rep_b
    mine = [make_customer(org.rep_a, name=f"客户{i:02d}").pk for i in range(23)]
    for i in range(5):
        make_customer(org.rep_b, name=f"别人{i}")

    # when rep_a walks the list 5 at a time
    pages = walk(call, org.rep_a, "", limit=5)

    # then every own customer comes exactly once, newest first, in full pages but the last
    ids = [pk for page in pages for pk in page]
    assert ids == sorted(mine, reverse=True)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]


def test_exactly_full_last_page_has_no_next_cursor(org, call):
    for i in range(10):
        make_customer(org.rep_a, name=f"客户{i}")
    pages = walk(call, org.rep_a, "", limit=5)
    assert [len(p) for p in pages] == [5, 5]


def test_cursor_walk_over_search_results(org, call):
    # given 12 customers named 张… among others
    zhang = [
        make_customer(org.rep_a, name=f"张{'一二三四五六七八九十'[i % 10]}{i}").pk
        for i in range(12)
    ]
    for i in range(8):
        make_customer(org.rep_a, name=f"李{i}")

    # when the search for 张 is paged 5 at a time
    pages = walk(call, org.rep_a, f"q={quote('zhang')}", limit=5)

    # then all 12 come once, and nothing else
    ids = [pk for page in pages for pk in page]
    assert ids == sorted(zhang, reverse=True)


def test_records_added_while_paging_do_not_shift_the_pages(org, call):
    first = [make_customer(org.rep_a, name=f"客户{i}").pk for i in range(6)]
    page1 = call(org.rep_a, "GET", "customers?limit=3").json()
    make_customer(org.rep_a, name="新来的")  # newer than everything: belongs before page 1
    page2 = call(org.rep_a, "GET", f"customers?limit=3&cursor={page1['next_cursor']}").json()
    seen = [x["id"] for x in page1["items"] + page2["items"]]
    assert seen == sorted(first, reverse=True)


def test_a_tampered_cursor_is_invalid(org, call):
    response = call(org.rep_a, "GET", "customers?cursor=not-a-cursor")
    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["fields"]


def test_default_page_size_and_limit_bounds(org, call):
    for i in range(25):
        make_customer(org.rep_a, name=f"客户{i}")
    assert len(call(org.rep_a, "GET", "customers").json()["items"]) == 20
    assert len(call(org.rep_a, "GET", "customers?limit=100").json()["items"]) == 25
    assert call(org.rep_a, "GET", "customers?limit=101").status_code == 422
    assert call(org.rep_a, "GET", "customers?limit=0").status_code == 422


# --- search -------------------------------------------------------------------------------------


@pytest.fixture
def people(org):
    return {
        "张三丰": make_customer(org.rep_a, name="张三丰", phone="13912345678"),
        "张三": make_customer(org.rep_a, name="张三", phone="13812340000"),
        "李四": make_customer(org.rep_a, name="李四", phone="13700005678", company="丰田汽车"),
        "曾小贤": make_customer(org.rep_a, name="曾小贤", phone="13600001111"),
    }


def found(call, actor, q: str) -> list[str]:
    response = call(actor, "GET", f"customers?q={quote(q)}")
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["items"])


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("三丰", ["张三丰"]),  # a 2-character Chinese fragment inside a name
        ("张三", ["张三", "张三丰"]),
        ("zsf", ["张三丰"]),  # pinyin initials
        ("ZSF", ["张三丰"]),
        ("zhangsan", ["张三", "张三丰"]),  # full pinyin prefix
        ("zengxiao", ["曾小贤"]),  # heteronym surname 曾 read zeng
        ("zxx", ["曾小贤"]),
        ("5678", ["张三丰", "李四"]),  # a 4-digit phone fragment
        ("1234", ["张三", "张三丰"]),
        ("13912345678", ["张三丰"]),  # the whole phone
        ("139 1234 5678", ["张三丰"]),
        ("丰田", ["李四"]),  # company
        ("王五", []),
    ],
)
def test_search_through_the_api(org, call, people, q, names):
    assert found(call, org.rep_a, q) == names


def test_search_by_customer_number(org, call, people):
    number = people["李四"].number
    assert found(call, org.rep_a, number) == ["李四"]
    assert found(call, org.rep_a, number.lower()) == ["李四"]


def test_search_combined_with_a_filter(org, call, people):
    make_customer(org.rep_a, name="张三峰", category="intention", grade="H")
    response = call(org.rep_a, "GET", f"customers?q={quote('张三')}&category=intention")
    assert [x["name"] for x in response.json()["items"]] == ["张三峰"]


def test_search_does_not_reach_outside_the_scope(org, call, people):
    assert found(call, org.rep_b, "zsf") == []
    assert found(call, org.rep_c, "5678") == []
    assert found(call, org.manager, "zsf") == ["张三丰"]


def test_deleted_customers_are_not_found(org, call, people):
    call(org.rep_a, "DELETE", f"customers/{people['张三丰'].pk}")
    assert found(call, org.rep_a, "zsf") == []
    assert found(call, org.rep_a, "5678") == ["李四"]


# --- query counts -------------------------------------------------------------------------------


def _fill(org, n: int, start: int = 0) -> int:
    """``n`` customers of two reps with tags; every fifth goes to the recycle bin. Live count."""
    live = 0
    for i in range(start, start + n):
        owner = org.rep_a if i % 2 else org.rep_b
        c = make_customer(
            owner,
            name=f"张客户{i}",
            tags=["VIP", f"组{i % 3}"],
            kind="organization" if i % 4 == 0 else "person",
        )
        if i % 5 == 4:
            services.customer_delete(actor=owner, customer_id=c.pk)
        else:
            live += 1
    return live


# The token, the manager's department subtree, the customers shared with the caller (客户共享,
# from the scope ``assigned`` up), the customers with owner and department joined, their tags
# in one prefetch, and the one INSERT that logs the read (查阅登记); a search adds one lookup in
# the search index; and the confidentiality levels with the caller's clearance (one query).
@pytest.mark.parametrize("rows", [5, 30])
@pytest.mark.parametrize(
    ("persona", "query", "queries"),
    [
        ("manager", "", 7),
        ("rep_a", "", 6),
        ("gm", "q=zhang", 6),
        ("manager", f"q={quote('客户')}&tag=VIP", 8),
        ("data_admin", "deleted=true", 5),
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    org, call, django_assert_max_num_queries, rows, persona, query, queries
):
    # given some customers with owners, departments and tags
    live = _fill(org, rows)
    actor = getattr(org, persona)
    call(actor, "GET", "me")  # the token's first use touches last_used_at; not counted

    # when a full page is listed
    with django_assert_max_num_queries(queries):
        response = call(actor, "GET", f"customers?{query}&limit=100")

    # then the page is right as well as cheap
    assert response.status_code == 200
    items = response.json()["items"]
    assert items
    assert all(len(item["tags"]) == 2 for item in items)
    if persona == "gm":
        assert len(items) == live
    if persona == "data_admin":
        assert len(items) == rows - live


def test_list_query_count_is_the_same_for_5_and_30_rows(org, call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for start, rows in ((0, 5), (5, 25)):  # 5 customers, then 30
        _fill(org, rows, start)
        call(org.manager, "GET", "me")
        with CaptureQueriesContext(connection) as ctx:
            call(org.manager, "GET", "customers?limit=100")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- sorting and the count (issue 7 §2) ---------------------------------------------------------


def test_a_sorted_list_walks_by_grade_with_the_ungraded_last(org, call):
    b = make_customer(org.rep_a, name="乙", category="intention", grade="B").pk
    h = make_customer(org.rep_a, name="甲", category="intention", grade="H").pk
    none = make_customer(org.rep_a, name="无级别").pk
    pages = walk(call, org.rep_a, "sort=grade", limit=1)
    assert [i for page in pages for i in page] == [h, b, none]
    pages = walk(call, org.rep_a, "sort=-grade", limit=2)
    assert [i for page in pages for i in page] == [b, h, none]


@pytest.mark.parametrize(
    "query", ["sort=size", "sort=grade&cursor=abc", "follow=soon", "created=year"]
)
def test_a_bad_sort_filter_or_cursor_is_a_422(org, call, query):
    response = call(org.rep_a, "GET", f"customers?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]


def test_the_count_is_scoped_and_capped(org, call, monkeypatch):
    from crm.customers import selectors

    for i in range(3):
        make_customer(org.rep_a, name=f"客户{i}")
    make_customer(org.rep_b, name="别人")
    assert call(org.rep_a, "GET", "customers/count").json() == {"count": 3, "exact": True}
    assert call(org.manager, "GET", "customers/count").json() == {"count": 4, "exact": True}
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    assert call(org.rep_a, "GET", "customers/count").json() == {"count": 2, "exact": False}
    assert call(org.rep_a, "GET", "customers/count?q=客户").json() == {
        "count": None,
        "exact": False,
    }


@pytest.mark.parametrize(
    "query",
    [
        "cursor=-9_161",  # a sorted list's cursor, the sort left out
        "q=%E5%AE%A2%E6%88%B7&sort=-next_due&cursor=-9_161",  # a text search keeps its order
        "sort=grade&cursor=161",  # a newest-first cursor given to a sorted list
        "sort=-created&cursor=n_5",
    ],
)
def test_every_cursor_the_pattern_admits_names_a_place(org, call, query):
    # found by the fuzzer: a schema-valid cursor was refused (422)
    for i in range(3):
        make_customer(org.rep_a, name=f"客户{i}")
    assert call(org.rep_a, "GET", f"customers?{query}").status_code == 200
