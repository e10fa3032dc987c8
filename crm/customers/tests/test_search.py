"""Search with one box: Chinese fragments, pinyin, phone fragments, numbers (issue 2, §4)."""

from __future__ import annotations

import pytest

from crm.customers import search, selectors, services
from crm.customers.pinyin import pinyin_keys
from crm.customers.search import parse
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def names(actor, q, **filters):
    page = selectors.customer_list(actor=actor, filters=selectors.CustomerFilters(q=q, **filters))
    return [c.name for c in page.items]


@pytest.fixture
def people(org):
    rep = org.rep_a
    return {
        "zsf": make_customer(rep, name="张三丰", phone="13812345678"),
        "zs": make_customer(rep, name="张三", phone="13900001111"),
        "ls": make_customer(rep, name="李四", phone="13700002222"),
        "zgf": make_customer(rep, name="曾国藩", phone="13600003333"),
        "stf": make_customer(rep, name="单田芳", phone="13500004444"),
        "xj": make_customer(rep, name="解缙", phone="13400005555"),
        "org": make_customer(
            rep, name="北京华联科技有限公司", kind="organization", phone="01062348888"
        ),
        "emp": make_customer(rep, name="王五", company="上海三丰贸易有限公司", phone="13300006666"),
    }


def test_two_character_fragment_finds_names_containing_it(org, people):
    assert names(org.rep_a, "张三") == ["张三", "张三丰"]
    assert names(org.rep_a, "三丰") == ["王五", "张三丰"]  # 王五's company is 上海三丰贸易


def test_fragment_must_be_adjacent_characters(org, people):
    assert names(org.rep_a, "张丰") == []


def test_pinyin_initials_and_full_pinyin_prefix(org, people):
    assert names(org.rep_a, "zsf") == ["张三丰"]
    assert names(org.rep_a, "zhangsan") == ["张三", "张三丰"]
    assert names(org.rep_a, "ZhangSanFeng") == ["张三丰"]
    assert names(org.rep_a, "bjhl") == ["北京华联科技有限公司"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zgf", "曾国藩"),
        ("zengguofan", "曾国藩"),
        ("stf", "单田芳"),
        ("shantianfang", "单田芳"),
        ("xj", "解缙"),
        ("xiejin", "解缙"),
    ],
)
def test_heteronym_surnames_are_found_by_their_surname_reading(org, people, typed, expected):
    assert expected in names(org.rep_a, typed)


def test_everyday_reading_of_a_heteronym_surname_also_finds_the_person(org, people):
    assert "曾国藩" in names(org.rep_a, "cengguofan")


def test_phone_fragment_of_four_or_more_digits_matches_anywhere(org, people):
    assert names(org.rep_a, "5678") == ["张三丰"]
    assert names(org.rep_a, "1234") == ["张三丰"]
    assert names(org.rep_a, "138 1234") == ["张三丰"]
    assert names(org.rep_a, "6234") == ["北京华联科技有限公司"]


def test_exact_phone_and_customer_number(org, people):
    assert names(org.rep_a, "13812345678") == ["张三丰"]
    number = people["ls"].number
    assert names(org.rep_a, number) == ["李四"]
    assert names(org.rep_a, number.lower()) == ["李四"]


def test_contact_phone_finds_the_organisation(org, people):
    services.contact_create(
        actor=org.rep_a,
        customer_id=people["org"].pk,
        data={"name": "刘总", "role": "chairman", "phone": "18611112222"},
    )
    assert names(org.rep_a, "1111222") == ["北京华联科技有限公司"]


def test_search_follows_renames_and_forgets_deleted_customers(org, people):
    c = people["ls"]
    services.customer_update(  # a rename is applied by the data-management department
        actor=org.data_admin, customer_id=c.pk, version=c.version, data={"name": "李思思"}
    )
    assert names(org.rep_a, "李四") == []
    assert names(org.rep_a, "思思") == ["李思思"]
    services.customer_delete(actor=org.rep_a, customer_id=c.pk)
    assert names(org.rep_a, "思思") == []
    services.customer_restore(actor=org.data_admin, customer_id=c.pk)
    assert names(org.data_admin, "思思") == ["李思思"]


def test_search_respects_the_data_scope(org, people):
    make_customer(org.rep_c, name="张三丰收", phone="15900000001")
    assert names(org.rep_a, "张三丰") == ["张三丰"]
    assert names(org.rep_c, "张三丰") == ["张三丰收"]
    assert names(org.gm, "张三丰") == ["张三丰收", "张三丰"]
    assert names(org.sysadmin, "张三丰") == []


def test_search_combines_with_filters(org, people):
    make_customer(org.rep_a, name="张三丰二", category="intention", grade="A")
    assert names(org.rep_a, "张三", category="intention") == ["张三丰二"]
    assert names(org.rep_a, "张三", grade="A") == ["张三丰二"]


def test_search_pages_through_many_matches_without_repeats(org):
    for i in range(45):
        make_customer(org.rep_a, name=f"欧阳{'一二三四五六七八九十'[i % 10]}{i}")
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.customer_list(
            actor=org.rep_a, filters=selectors.CustomerFilters(q="欧阳"), cursor=cursor, limit=20
        )
        seen += [c.pk for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 45
    assert len(set(seen)) == 45
    assert seen == sorted(seen, reverse=True)


def test_query_parsing():
    assert parse("1380").digits_prefix == "1380"
    assert parse("138").digits_prefix == ""
    assert parse("zsf").pinyin_prefix == "zsf"
    assert parse("张三").phrase == ("张", "三")
    assert parse("  张 三 ").phrase == ("张", "三")


def test_pinyin_keys_of_a_plain_name():
    assert pinyin_keys("张三丰") == ("zsf", "zhangsanfeng")
    assert pinyin_keys("John Smith") == ()


# --- the scope in the search document (issue 6, §6) ------------------------------------------


def scoped(actor, typed):
    """What the index itself returns for ``actor``'s search (before any row is loaded)."""
    return search.matching_ids(
        parse(typed), before=None, limit=50, scope=selectors._index_scope(actor)
    )


def test_a_reps_search_reads_only_the_reps_own_matches_from_the_index(org):
    mine = make_customer(org.rep_a, name="张三")
    colleague = make_customer(org.rep_b, name="张三丰")
    other_department = make_customer(org.rep_c, name="张三顺")
    assert scoped(org.rep_a, "张三") == [mine.pk]
    # the manager of 销售一部 reads the department's matches, the data administrator all of them
    assert scoped(org.manager, "张三") == [colleague.pk, mine.pk]
    assert scoped(org.data_admin, "张三") == [other_department.pk, colleague.pk, mine.pk]
    assert names(org.rep_a, "张三") == ["张三"]
    assert names(org.manager, "张三") == ["张三丰", "张三"]


def test_a_customer_handed_over_is_found_by_its_new_owner_not_the_former(org):
    c = make_customer(org.rep_a, name="欧阳锋")
    services.customer_update(
        actor=org.gm, customer_id=c.pk, version=1, data={"owner": org.rep_c.pk}
    )
    assert scoped(org.rep_c, "欧阳") == [c.pk]
    assert scoped(org.rep_a, "欧阳") == []
    assert names(org.rep_c, "欧阳") == ["欧阳锋"]
    # 销售二部 is the customer's department now: its manager finds it, 销售一部's does not
    assert scoped(org.manager2, "欧阳") == [c.pk]
    assert scoped(org.manager, "欧阳") == []


def test_nobody_in_scope_reads_nothing_from_the_index(org):
    make_customer(org.rep_a, name="张三")
    assert scoped(org.sysadmin, "张三") == []


def test_a_fragment_of_the_customer_number_finds_the_customers_it_begins(org, people):
    """KH0019 is how a number is read out on the phone: it finds KH001900 to KH001999."""
    ls = people["ls"]
    prefix = ls.number[:-1]  # KH00000 + the last digit left out
    found = names(org.rep_a, prefix)
    assert "李四" in found
    assert set(found) <= {c.name for c in people.values() if c.number.startswith(prefix)}
    assert names(org.rep_a, prefix.lower().replace("kh", "Kh")) == found


def test_a_customer_number_without_its_zeros_finds_that_customer(org, people):
    ls = people["ls"]
    assert "李四" in names(org.rep_a, f"KH{ls.pk}")


def _number(pk: int) -> str:
    return f"KH{pk:06d}"


@pytest.mark.parametrize("pk", [1, 19, 1900, 1999, 999_999, 1_000_000, 1_000_999, 12_345_678])
@pytest.mark.parametrize("typed", ["0", "00", "0019", "001", "19", "1000", "1", "999999", "12345"])
def test_number_ranges_hold_exactly_the_numbers_the_fragment_begins(pk, typed):
    """The id ranges of a fragment are the ids whose number begins with it, and the id whose
    number it is with the zeros left out; nothing else."""
    inside = any(lo <= pk <= hi for lo, hi in selectors.number_ranges(typed))
    assert inside == (_number(pk).startswith("KH" + typed) or pk == int(typed))


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "(+86) 138 1234 5678",
        "＋８６ １３８１２３４５６７８",
        "138 1234 5678",
        "138-1234-5678",
    ],
)
def test_a_phone_typed_with_the_country_code_or_spaces_finds_the_customer(org, people, typed):
    assert names(org.rep_a, typed) == ["张三丰"]


def test_a_landline_with_country_and_area_code_finds_the_organisation(org, people):
    assert names(org.rep_a, "+86 10 6234 8888") == ["北京华联科技有限公司"]
    assert names(org.rep_a, "(010) 6234-8888") == ["北京华联科技有限公司"]


def test_names_are_read_as_pypinyin_reads_them_in_context():
    # the character-by-character reading of a text without a dictionary phrase must be what
    # pypinyin's own segmentation gives, for names and companies with and without phrases
    import random

    from pypinyin import Style, lazy_pinyin

    from crm.customers import pinyin as module

    rnd = random.Random(7)
    common = [chr(c) for c in range(0x4E00, 0x9FA5)]
    texts = [
        "重庆长江贸易有限公司",
        "长沙银行",
        "单田芳",
        "曾国藩",
        "杭州星河贸易12号公司",
        "Zhang 三",
        "乐乐",
        *("".join(rnd.choices(common, k=rnd.randint(2, 9))) for _ in range(3000)),
    ]
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(7)
    texts += [fake.name() for _ in range(1000)] + [fake.company() for _ in range(1000)]
    for text in texts:
        expected = [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]
        assert module._readings(text) == expected, text
