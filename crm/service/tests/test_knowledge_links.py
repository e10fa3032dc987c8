"""知识管理 linked from complaints: while a complaint is handled, the handler or a colleague
helping cites the knowledge base's answer (销讲、答客问) that fits; the complaint shows it, and
the page suggests answers about the complaint's product."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.core.errors import Invalid, NotFound, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.knowledge import services as knowledge
from crm.service import services


@pytest.fixture
def complaint(org):
    customer = make_customer(org.rep_a, name="星河机械")
    return services.complaint_register(
        actor=org.service_staff,
        data={
            "complainant": "王总",
            "phone": "13911112222",
            "channel": "hotline",
            "category": "product",
            "severity": "normal",
            "product": "空调",
            "description": "新装空调不制冷",
            "customer": customer.pk,
        },
    )


@pytest.fixture
def answer(org):
    return knowledge.article_create(
        actor=org.manager,
        data={
            "title": "空调不制冷怎么办？",
            "answer": "先检查遥控器模式与滤网。",
            "tags": ["空调"],
        },
    )


def test_the_handler_cites_an_answer_once_and_can_take_it_off(org, complaint, answer):
    services.complaint_link_article(
        actor=org.service_staff, complaint_id=complaint.pk, article_id=answer.pk
    )
    assert [link.article for link in complaint.article_links.all()] == [answer]
    with pytest.raises(StateConflict) as twice:
        services.complaint_link_article(
            actor=org.service_staff, complaint_id=complaint.pk, article_id=answer.pk
        )
    assert twice.value.fields == {"article": "这篇解答已引用过"}
    with pytest.raises(Invalid):
        services.complaint_link_article(
            actor=org.service_staff, complaint_id=complaint.pk, article_id=answer.pk + 99
        )
    services.complaint_unlink_article(
        actor=org.service_staff, complaint_id=complaint.pk, article_id=answer.pk
    )
    assert not complaint.article_links.exists()
    verbs = AuditEvent.objects.filter(verb__startswith="complaint.article").values_list(
        "verb", flat=True
    )
    assert sorted(verbs) == ["complaint.article_linked", "complaint.article_unlinked"]


def test_someone_outside_the_complaint_cannot_cite(org, complaint, answer):
    with pytest.raises(NotFound):
        services.complaint_link_article(
            actor=org.rep_c, complaint_id=complaint.pk, article_id=answer.pk
        )


def test_the_page_suggests_answers_about_the_product_and_the_api_cites(
    org, as_user, call, complaint, answer
):
    client = as_user(org.service_staff)
    page = client.get(f"/service/complaints/{complaint.pk}/").content.decode()
    assert "可能相关" in page
    assert answer.title in page
    client.post(
        f"/service/complaints/{complaint.pk}/act/", {"op": "article_link", "article": answer.number}
    )
    assert complaint.article_links.filter(article=answer).exists()
    detail = call(org.service_staff, "GET", f"service/complaints/{complaint.pk}").json()
    assert detail["articles"] == [{"id": answer.pk, "number": answer.number, "title": answer.title}]
    gone = call(
        org.service_staff, "DELETE", f"service/complaints/{complaint.pk}/articles/{answer.pk}"
    )
    assert gone.status_code == 204
    again = call(
        org.service_staff,
        "POST",
        f"service/complaints/{complaint.pk}/articles",
        {"article": answer.pk},
    )
    assert again.status_code == 201
    assert [a["number"] for a in again.json()["articles"]] == [answer.number]


# --- orders and products named in a complaint or a service record --------------------------


def test_an_order_number_of_the_customer_links_its_order_and_another_customers_does_not(org):
    from crm.orders.tests.factories import make_order, make_product

    monitor = make_product(org)
    buyer = make_customer(org.rep_a, name="仁济医院", category="intention", grade="A")
    stranger = make_customer(org.rep_b, name="别家医院", category="intention", grade="A")
    order = make_order(org.rep_a, buyer, monitor)
    theirs = make_order(org.rep_b, stranger, monitor)
    data = {
        "complainant": "王总",
        "channel": "hotline",
        "category": "product",
        "severity": "normal",
        "description": "开机黑屏",
        "customer": buyer.pk,
    }
    mine = services.complaint_register(
        actor=org.service_staff,
        data={**data, "order_number": f"so{order.pk}", "product": "多参数监护仪"},
    )
    assert (mine.order, mine.order_number, mine.catalogue_product) == (
        order,
        order.number,
        monitor,
    )
    other = services.complaint_register(
        actor=org.service_staff, data={**data, "order_number": theirs.number}
    )
    assert other.order is None
    assert other.order_number == theirs.number  # kept as typed, not linked
    record = services.service_record_add(
        actor=org.service_staff,
        customer_id=buyer.pk,
        data={
            "served_on": timezone.localdate().isoformat(),
            "content": "上门调试",
            "order_number": order.number,
            "product": "P-001",
        },
    )
    assert (record.order, record.catalogue_product) == (order, monitor)
