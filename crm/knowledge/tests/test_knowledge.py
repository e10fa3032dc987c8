"""知识管理: the answers to what customers ask (答客问) and the sales talk (销讲), searched by
staff, written by the managers, counted when read."""

from __future__ import annotations

import pytest

from crm.core.errors import Conflict, Duplicate, Invalid, NotFound, PermissionDenied
from crm.governance.models import AuditEvent
from crm.knowledge import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(org):
    faq = services.category_create(actor=org.manager, data={"name": "答客问"})
    talk = services.category_create(actor=org.manager, data={"name": "销讲"})
    refund = services.article_create(
        actor=org.manager,
        data={
            "title": "定金可以退吗？",
            "answer": "签订合同前定金可全额退还；签订后按合同约定处理。",
            "category": faq.pk,
            "tags": ["定金", "退款"],
        },
    )
    upkeep = services.article_create(
        actor=org.manager,
        data={
            "title": "首次保养什么时候做？",
            "answer": "行驶 5000 公里或 6 个月，以先到者为准。",
            "category": faq.pk,
            "tags": ["保养"],
        },
    )
    pitch = services.article_create(
        actor=org.manager,
        data={"title": "SUV 空间卖点", "answer": "后排放倒 1800 升。", "category": talk.pk},
    )
    return {"faq": faq, "talk": talk, "refund": refund, "upkeep": upkeep, "pitch": pitch}


def _titles(rows):
    return [a.title for a in rows]


def test_staff_find_an_answer_by_a_two_character_chinese_word(org, base):
    assert _titles(selectors.article_search(actor=org.rep_a, q="退还")) == ["定金可以退吗？"]
    assert _titles(selectors.article_search(actor=org.receptionist, q="保养")) == [
        "首次保养什么时候做？"
    ]


def test_every_word_must_match_somewhere(org, base):
    assert _titles(selectors.article_search(actor=org.rep_a, q="定金 合同")) == ["定金可以退吗？"]
    assert selectors.article_search(actor=org.rep_a, q="定金 保养") == []


def test_a_tag_and_a_category_narrow_the_list(org, base):
    assert _titles(selectors.article_search(actor=org.rep_a, q="退款")) == ["定金可以退吗？"]
    assert _titles(selectors.article_search(actor=org.rep_a, tag="保养")) == [
        "首次保养什么时候做？"
    ]
    assert _titles(selectors.article_search(actor=org.rep_a, category=base["talk"].pk)) == [
        "SUV 空间卖点"
    ]


def test_full_width_letters_match_their_ascii(org, base):
    assert _titles(selectors.article_search(actor=org.rep_a, q="ｓｕｖ")) == ["SUV 空间卖点"]


def test_search_text_with_wildcards_is_literal(org, base):
    assert selectors.article_search(actor=org.rep_a, q="%") == []
    assert selectors.article_search(actor=org.rep_a, q="_") == []


def test_reading_counts_a_view_and_the_most_read_come_first(org, base):
    services.article_read(actor=org.rep_a, article_id=base["pitch"].pk)
    read = services.article_read(actor=org.rep_b, article_id=base["pitch"].pk)

    assert read.views == 2
    assert _titles(selectors.article_search(actor=org.rep_a))[0] == "SUV 空间卖点"
    with pytest.raises(NotFound):
        services.article_read(actor=org.rep_a, article_id=999999)


def test_managers_edit_and_every_change_is_audited(org, base):
    article = base["refund"]

    changed = services.article_update(
        actor=org.manager,
        article_id=article.pk,
        data={"tags": ["定金"], "answer": "合同签订前可退。"},
        version=1,
    )

    assert (changed.version, changed.tags) == (2, ["定金"])
    assert selectors.article_search(actor=org.rep_a, tag="退款") == []
    event = AuditEvent.objects.get(verb="knowledge.updated")
    assert event.changes["answer"][1] == "合同签订前可退。"
    with pytest.raises(Conflict):
        services.article_update(actor=org.manager, article_id=article.pk, data={}, version=1)


def test_reps_read_but_do_not_write(org, base):
    with pytest.raises(PermissionDenied):
        services.article_create(actor=org.rep_a, data={"title": "x", "answer": "y"})
    with pytest.raises(PermissionDenied):
        selectors.article_search(actor=org.sysadmin)


def test_an_archived_article_leaves_the_search(org, base):
    services.article_update(actor=org.manager, article_id=base["pitch"].pk, data={"archived": True})

    assert "SUV 空间卖点" not in _titles(selectors.article_search(actor=org.rep_a))
    assert "SUV 空间卖点" in _titles(selectors.article_search(actor=org.manager, archived=True))
    assert base["pitch"].pk not in selectors.article_refs(ids=[base["pitch"].pk])


def test_an_article_is_referred_to_by_its_number(org, base):
    refs = selectors.article_refs(ids=[base["refund"].pk, 424242])
    assert list(refs) == [base["refund"].pk]
    assert refs[base["refund"].pk].number == f"ZS{base['refund'].pk:06d}"


def test_inputs_are_checked(org, base):
    with pytest.raises(Invalid) as exc:
        services.article_create(
            actor=org.manager, data={"title": " ", "answer": "y", "category": 999999}
        )
    assert "title" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        services.article_create(
            actor=org.manager, data={"title": "x", "answer": "y", "category": 999999}
        )
    assert "category" in exc.value.fields
    with pytest.raises(Duplicate):
        services.category_create(actor=org.manager, data={"name": "销讲"})
    assert AuditEvent.objects.filter(verb="knowledge.created").count() == 3
