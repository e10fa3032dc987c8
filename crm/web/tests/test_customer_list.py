"""The customer list page a team works from: sorted columns, the count, chosen columns, saved
and shared views, bulk actions on a selection or the whole filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.activities.models import Notification
from crm.customers import bulk, listviews, selectors
from crm.customers.models import Customer, SavedView
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

LIST = reverse("web:customer_list")
BULK = reverse("web:customer_bulk")
VIEWS = reverse("web:customer_views")


def body(response) -> str:
    return str(response.content.decode())


def order_of(text: str, *names: str) -> list[str]:
    return sorted(names, key=text.index)


def test_sorting_by_next_follow_up_puts_the_earliest_first_and_the_undue_last(as_user, org):
    today = timezone.localdate()
    for name, days in (("远期客户", 9), ("未排客户", None), ("近期客户", 1)):
        c = make_customer(org.rep_a, name=name)
        due = today + dt.timedelta(days=days) if days is not None else None
        Customer.objects.filter(pk=c.pk).update(next_due_on=due)
    client = as_user(org.rep_a)

    ascending = body(client.get(LIST, {"sort": "next_due"}))
    descending = body(client.get(LIST, {"sort": "-next_due"}))

    names = ("近期客户", "远期客户", "未排客户")
    assert order_of(ascending, *names) == ["近期客户", "远期客户", "未排客户"]
    assert order_of(descending, *names) == ["远期客户", "近期客户", "未排客户"]
    assert 'aria-sort="ascending"' in ascending  # the header says how it is sorted


def test_the_pages_of_a_sorted_list_follow_on(as_user, org, settings):
    settings.CRM_PAGE_SIZE = 2
    for grade, name in (("C", "丙"), ("H", "甲"), ("A", "乙")):
        make_customer(org.rep_a, name=name, category="intention", grade=grade)
    client = as_user(org.rep_a)
    first = client.get(LIST, {"sort": "grade"})
    cursor = first.context["page"].next_cursor
    second = body(client.get(LIST, {"sort": "grade", "cursor": cursor}))
    assert order_of(body(first), "甲", "乙") == ["甲", "乙"]
    assert "丙" not in body(first)
    assert "丙" in second
    assert "甲" not in second


@pytest.mark.parametrize("cursor", ["n_x", "1_2_3", "9" * 40, "-", "n_999999999999999999"])
def test_a_forged_cursor_shows_a_page_never_an_error(as_user, org, cursor):
    make_customer(org.rep_a, name="张三")
    response = as_user(org.rep_a).get(LIST, {"sort": "-last_contact", "cursor": cursor})
    assert response.status_code == 200


def test_the_count_is_told_exact_and_capped_beyond_the_limit(as_user, org, monkeypatch):
    for i in range(3):
        make_customer(org.rep_a, name=f"客户{i}")
    client = as_user(org.rep_a)
    assert "共 3 位客户" in body(client.get(LIST))
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    capped = body(client.get(LIST))
    assert "超过 2 位客户" in capped
    assert "计数到上限为止" in capped


def test_the_chosen_columns_are_remembered_for_the_user(as_user, org):
    make_customer(org.rep_a, name="张三", phone="13700001111")
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:customer_columns"), {"columns": ["grade", "created"], "next": LIST}
    )
    assert response.status_code == 302
    page = body(client.get(LIST))
    assert "13700001111" not in page
    assert ">创建时间<" in page
    assert "13700001111" in body(as_user(org.manager).get(LIST))  # the manager's own columns


def test_the_built_in_views_are_offered(as_user, org):
    page = body(as_user(org.rep_a).get(LIST))
    for name in ("我的逾期", "本周新增", "H级未跟进"):
        assert name in page
    assert "mine=1&amp;follow=overdue&amp;sort=next_due" in page


def test_a_saved_view_keeps_filter_sort_and_columns(as_user, org):
    make_customer(org.rep_a, name="热客户", category="intention", grade="H")
    make_customer(org.rep_a, name="冷客户")
    client = as_user(org.rep_a)

    response = client.post(
        VIEWS, {"name": " 热门 ", "query": "grade=H&sort=-created", "columns": ["grade"]}
    )

    view = SavedView.objects.get()
    assert (view.name, view.params, view.columns) == (
        "热门",
        {"grade": "H", "sort": "-created"},
        ["grade"],
    )
    page = client.get(response["Location"])
    assert "热客户" in body(page)
    assert "冷客户" not in body(page)
    assert page.context["columns"] == ["grade"]
    assert "热门" in body(client.get(LIST))  # in the 视图 menu


def test_a_view_is_renamed_and_deleted_by_its_owner(as_user, org):
    view = listviews.view_save(actor=org.rep_a, name="旧名", params={}, columns=[])
    listviews.view_save(actor=org.rep_a, name="别的", params={}, columns=[])
    client = as_user(org.rep_a)
    client.post(reverse("web:customer_view_rename", args=[view.pk]), {"name": "新名"})
    assert SavedView.objects.get(pk=view.pk).name == "新名"
    response = client.post(reverse("web:customer_view_rename", args=[view.pk]), {"name": "别的"})
    assert "已有名为“别的”的视图" in body(client.get(response["Location"]))
    client.post(reverse("web:customer_view_delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_manager_shares_a_view_that_colleagues_read_but_cannot_change(as_user, org):
    view = listviews.view_save(
        actor=org.manager, name="部门H级", params={"grade": "H"}, columns=["owner"]
    )
    make_customer(org.rep_b, name="乙的H级", category="intention", grade="H")
    make_customer(org.rep_a, name="甲的H级", category="intention", grade="H")
    as_user(org.manager).post(reverse("web:customer_view_share", args=[view.pk]), {"shared": "1"})

    rep_b = as_user(org.rep_b)
    assert "部门H级" in body(rep_b.get(LIST))
    assert "部门H级" in body(rep_b.get(VIEWS))
    applied = rep_b.get(LIST, {"grade": "H", "view": view.pk})
    assert "乙的H级" in body(applied)
    assert "甲的H级" not in body(applied)
    assert applied.context["columns"] == ["owner"]
    renamed = rep_b.post(reverse("web:customer_view_rename", args=[view.pk]), {"name": "x"})
    assert renamed.status_code == 403
    assert SavedView.objects.get(pk=view.pk).name == "部门H级"
    assert "部门H级" not in body(as_user(org.rep_c).get(LIST))  # another department


def test_a_rep_may_not_share_a_view(as_user, org):
    view = listviews.view_save(actor=org.rep_a, name="我的", params={}, columns=[])
    response = as_user(org.rep_a).post(
        reverse("web:customer_view_share", args=[view.pk]), {"shared": "1"}
    )
    assert response.status_code == 403
    assert SavedView.objects.get(pk=view.pk).department is None


def test_a_selection_is_transferred_and_the_refused_are_told(as_user, org):
    mine = make_customer(org.rep_a, name="甲")
    outsider = make_customer(org.rep_c, name="丙")
    client = as_user(org.manager)
    response = client.post(
        BULK,
        {
            "operation": "transfer",
            "owner": org.rep_b.pk,
            "ids": [mine.pk, outsider.pk],
            "target": "selection",
            "query": "sort=grade",
        },
    )
    assert response["Location"] == f"{LIST}?sort=grade"
    assert "已转移 1 位，1 位无权限" in body(client.get(response["Location"]))
    assert Customer.objects.get(pk=mine.pk).owner == org.rep_b


def test_a_selection_of_nothing_or_of_garbage_is_refused_cleanly(as_user, org):
    client = as_user(org.rep_a)
    empty = client.post(BULK, {"operation": "add_tag", "tag": "VIP", "target": "selection"})
    assert "请先勾选客户" in body(client.get(empty["Location"]))
    garbage = client.post(BULK, {"operation": "add_tag", "tag": "VIP", "ids": ["1x"]})
    assert garbage.status_code == 400
    bad = client.post(BULK, {"operation": "grade", "grade": "Q", "ids": ["1"]})
    assert "请选择意向级别" in body(client.get(bad["Location"]))


def test_the_whole_filter_is_confirmed_with_its_count_first(as_user, org):
    for i in range(3):
        make_customer(org.rep_a, name=f"H{i}", category="intention", grade="H")
    make_customer(org.rep_a, name="不在筛选里")
    client = as_user(org.rep_a)
    form = {"operation": "add_tag", "tag": "重点", "target": "filter", "query": "grade=H"}

    confirm = client.post(BULK, form)

    assert confirm.status_code == 200
    assert "将对当前筛选的 3 位客户执行：添加标签 重点" in body(confirm)
    assert not Customer.objects.filter(tags__name="重点").exists()
    done = client.post(BULK, {**form, "confirm": "1"})
    assert "已添加标签 3 位" in body(client.get(done["Location"]))
    assert Customer.objects.filter(tags__name="重点").count() == 3


def test_a_large_whole_filter_runs_in_the_background_and_tells_when_done(as_user, org, monkeypatch):
    monkeypatch.setattr(bulk, "INLINE_MAX", 1)
    for i in range(2):
        make_customer(org.rep_a, name=f"客户{i}")
    client = as_user(org.rep_a)
    form = {"operation": "add_tag", "tag": "回访", "target": "filter", "query": ""}
    assert "将在后台处理" in body(client.post(BULK, form))
    done = client.post(BULK, {**form, "confirm": "1"})
    assert "正在后台处理 2 位客户" in body(client.get(done["Location"]))
    # the test settings run tasks at once: the reminder is there
    assert Notification.objects.get(user=org.rep_a, kind="customer_bulk").title == "已添加标签 2 位"


def test_a_rep_is_offered_no_transfer_but_tags_and_grades(as_user, org):
    make_customer(org.rep_a, name="张三")
    page = body(as_user(org.rep_a).get(LIST))
    assert 'value="transfer"' not in page
    assert 'value="add_tag"' in page
    assert 'value="transfer"' in body(as_user(org.manager).get(LIST))


def test_service_staff_get_no_bulk_bar(as_user, org):
    make_customer(org.rep_a, name="张三")
    page = body(as_user(org.service_staff).get(LIST))
    assert "张三" in page
    assert "data-bulk-bar" not in page
    assert 'name="ids"' not in page


def test_nul_characters_never_reach_the_database(as_user, org):
    c = make_customer(org.rep_a, name="张三")
    client = as_user(org.rep_a)
    client.post(VIEWS, {"name": "视\x00图", "query": "grade=H"})
    assert SavedView.objects.get().name == "视图"
    client.post(BULK, {"operation": "add_tag", "tag": "V\x00IP", "ids": [c.pk]})
    assert Customer.objects.get(pk=c.pk).tag_names == ["VIP"]


def test_a_leavers_customers_are_handed_over_as_a_whole_filter(as_user, org):
    """王小明 leaves: the manager filters the list by him (marked 已停用) and hands every one of
    his customers to 李晓红 in one go."""
    from crm.accounts import services as accounts

    for i in range(3):
        make_customer(org.rep_a, name=f"离职客户{i}")
    make_customer(org.rep_b, name="李晓红的客户")
    accounts.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=False)
    client = as_user(org.manager)
    assert "已停用" in body(client.get(LIST))
    form = {
        "operation": "transfer",
        "owner": str(org.rep_b.pk),
        "target": "filter",
        "query": f"owner={org.rep_a.pk}",
    }

    confirm = client.post(BULK, form)
    assert "3 位客户" in body(confirm)
    done = client.post(BULK, {**form, "confirm": "1"})

    assert "已转移 3 位" in body(client.get(done["Location"]))
    assert not Customer.objects.filter(owner=org.rep_a, deleted_at__isnull=True).exists()
