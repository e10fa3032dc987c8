"""The public complaint form (no sign-in): a customer files a complaint, gets a tracking number
and looks it up with the number and their phone. Robots are kept out without a CAPTCHA: a
honeypot field, a minimum fill time carried by a signed timestamp, size caps, duplicate
suppression and a rate limit per address; everything the customer typed is shown escaped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from crm.governance.models import AuditEvent
from crm.service import guard
from crm.service.models import Complaint

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def _form(clock, **extra):
    """What a person sends: the stamp served 10 seconds earlier, the honeypot empty."""
    clock(MONDAY, 10)
    started = guard.stamp()
    clock(MONDAY, 10, 1)
    return {
        "complainant": "李女士",
        "phone": "13800138000",
        "category": "product",
        "product": "X1 空调",
        "description": "空调漏水",
        "started": started,
        "website": "",
        **extra,
    }


def test_a_customer_files_a_complaint_and_tracks_it(call, clock, org):
    # when a customer submits the form
    response = call(None, "POST", "public/complaints", _form(clock))
    assert response.status_code == 201
    number = response.json()["number"]
    complaint = Complaint.objects.get()
    assert (number, complaint.channel, complaint.registered_by) == (complaint.number, "web", None)
    assert AuditEvent.objects.filter(verb="complaint.registered").count() == 1
    # then they see its progress with the number and their phone, and nothing with another phone
    found = call(
        None, "POST", "public/complaints/lookup", {"number": number, "phone": "13800138000"}
    )
    assert (found.status_code, found.json()["state"]) == (200, "registered")
    wrong = call(
        None, "POST", "public/complaints/lookup", {"number": number, "phone": "13900000000"}
    )
    assert wrong.status_code == 404
    assert "空调漏水" not in wrong.content.decode()


def test_the_honeypot_refuses_a_robot(call, clock, org):
    response = call(None, "POST", "public/complaints", _form(clock, website="http://spam"))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "提交未通过校验，请刷新页面后重新填写"
    assert not Complaint.objects.exists()


def test_a_form_sent_too_fast_or_without_a_valid_stamp_is_refused(call, clock, org):
    clock(MONDAY, 10)
    fresh = {**_form(clock), "started": guard.stamp()}  # sent the same second
    assert call(None, "POST", "public/complaints", fresh).status_code == 403
    forged = {**_form(clock), "started": "1700000000:forged"}
    assert call(None, "POST", "public/complaints", forged).status_code == 403
    stale = _form(clock)
    clock(MONDAY, 13, 30)  # three and a half hours after the form was served
    assert call(None, "POST", "public/complaints", stale).status_code == 403
    assert not Complaint.objects.exists()


def test_oversized_input_is_refused(call, clock, org):
    response = call(None, "POST", "public/complaints", _form(clock, description="长" * 2001))
    assert response.status_code == 422
    assert "description" in response.json()["error"]["fields"]
    assert not Complaint.objects.exists()


def test_the_same_complaint_twice_is_one_complaint(call, clock, org):
    first = call(None, "POST", "public/complaints", _form(clock))
    again = call(None, "POST", "public/complaints", _form(clock, description="  空调漏水 "))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"number": first.json()["number"], "created": False}
    assert Complaint.objects.count() == 1


@override_settings(CRM_PUBLIC_FORM_RATE=2)
def test_one_address_is_limited(call, clock, org):
    codes = [
        call(None, "POST", "public/complaints", _form(clock, description=f"问题 {n}")).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Complaint.objects.count() == 2


def test_script_injection_is_stored_as_text_and_shown_escaped(call, clock, org, as_user):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = call(
        None, "POST", "public/complaints", _form(clock, description=script, complainant="<b>张</b>")
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.description == script
    page = as_user(org.service_staff).get(reverse("web:complaint_detail", args=[complaint.pk]))
    body = page.content.decode()
    assert script not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<b>张</b>" not in body


def test_the_public_page_works_without_signing_in_and_issues_a_number(client, clock, org):
    clock(MONDAY, 10)
    page = client.get(reverse("web:public_complaint"))
    assert page.status_code == 200
    assert 'name="website"' in page.content.decode()
    started = page.context["started"]
    clock(MONDAY, 10, 1)
    response = client.post(
        reverse("web:public_complaint"),
        {
            "complainant": "李女士",
            "phone": "13800138000",
            "category": "service",
            "description": "服务态度差",
            "started": started,
            "website": "",
        },
    )
    assert response.status_code == 302
    receipt = client.get(response["Location"])
    number = Complaint.objects.get().number
    assert number in receipt.content.decode()
