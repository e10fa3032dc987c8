"""The hand-over's and the verification's pages as their users meet them: the manager starts a
departure from the form, the director signs on the printable record (交接单), which names who,
to whom, which customers and has the signature lines; a rep confirms a record from their list;
the data administrator reads the round's progress."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.handover.models import Handover
from crm.verification.models import VerificationItem


def test_the_manager_starts_and_the_director_signs_on_the_record(org, as_user):
    for i in range(3):
        make_customer(org.rep_a, name=f"交接客户{i}")
    client = as_user(org.manager)
    form = client.get(reverse("web:handover_start"))
    assert "王小明" in form.content.decode()
    sent = client.post(
        reverse("web:handover_start"),
        {
            "leaver": org.rep_a.pk,
            "kind": "departure",
            "receivers": [org.rep_b.pk],
            "split": "even",
            "reason": "个人原因离职",
        },
    )
    handover = Handover.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("web:handover_detail", args=[handover.pk])
    org.rep_a.refresh_from_db()
    assert not org.rep_a.is_active

    record = as_user(org.director).get(sent["Location"]).content.decode()
    for text in (
        "客户资料交接单",
        handover.number,
        "王小明",
        "李小红",
        "交接客户0",
        "交接客户2",
        "交出人（签字）",
        "接收人（签字）",
        "部门总监（签字）",
        "签字确认并移交",
    ):
        assert text in record
    signed = as_user(org.director).post(sent["Location"], {"decision": "approve", "note": "同意"})
    assert signed.status_code == 302
    assert Customer.objects.filter(owner=org.rep_b).count() == 3
    after = as_user(org.data_admin).get(sent["Location"]).content.decode()
    assert "吴总监" in after
    assert "签字确认并移交" not in after


def test_a_bad_start_is_shown_on_the_form(org, as_user):
    client = as_user(org.manager)
    sent = client.post(
        reverse("web:handover_start"),
        {"leaver": org.rep_a.pk, "kind": "departure", "receivers": [org.rep_b.pk], "reason": ""},
    )
    assert sent.status_code == 422
    assert not Handover.objects.exists()


def test_a_rep_confirms_and_the_administrator_sees_the_progress(org, as_user):
    mine = make_customer(org.rep_a, name="核查客户")
    make_customer(org.rep_b, name="别人的客户")
    admin = as_user(org.data_admin)
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    opened = admin.post(
        reverse("web:verification_list"),
        {"title": "四季度核查", "deadline": deadline, "unverified_only": "on"},
    )
    assert opened.status_code == 302
    rep = as_user(org.rep_a)
    page = rep.get(reverse("web:verification_mine")).content.decode()
    assert "核查客户" in page
    assert "别人的客户" not in page
    item = VerificationItem.objects.get(customer=mine)
    assert (
        rep.post(reverse("web:verification_item", args=[item.pk]), {"do": "confirm"}).status_code
        == 302
    )
    # "corrected" without an edit is refused with the reason
    other = VerificationItem.objects.get(customer__name="别人的客户")
    refused = as_user(org.rep_b).post(
        reverse("web:verification_item", args=[other.pk]), {"do": "corrected"}, follow=True
    )
    assert "未修改" in refused.content.decode()
    progress = as_user(org.data_admin).get(opened["Location"]).content.decode()
    assert "王小明" in progress
    assert "李小红" in progress
    assert "50%" in progress  # 销售一部: one of two
