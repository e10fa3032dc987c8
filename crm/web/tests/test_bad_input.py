"""Bad input on the web never gives a 500 (issue 6, section 5): a day out of range on the
calendar, the evening meeting and the reports, a month of year 0, a superscript digit where an
id or version belongs, an id beyond 64 bits. Each answers a form error or a 400 page that says
what was wrong, in the user's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("page", ["/calendar/?day=", "/calendar/?view=month&day=", "/team/?day="])
def test_a_day_out_of_range_is_a_400_page_that_says_so(as_user, org, page, day):
    response = as_user(org.gm).get(page + day)
    assert response.status_code == 400
    assert "年份应在 1900 到 2999 之间" in response.content.decode()


def test_the_400_page_speaks_english_too(as_user, org):
    client = as_user(org.gm)
    response = client.get("/calendar/?day=0001-01-01", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The year must be between 1900 and 2999" in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("name", ["web:report_daily", "web:report_daily_export"])
def test_a_report_day_out_of_range_is_a_form_error(as_user, org, name, day):
    response = as_user(org.gm).get(reverse(name) + f"?date={day}")
    assert response.status_code == 422
    assert "年份应在 1900 到 2999 之间" in response.content.decode()


@pytest.mark.parametrize("month", ["0000-01", "9999-12"])
@pytest.mark.parametrize(
    "name",
    [
        "web:report_contact_status",
        "web:report_contact_status_export",
        "web:report_defeats",
        "web:report_defeats_export",
    ],
)
def test_a_report_month_out_of_range_is_a_form_error(as_user, org, name, month):
    response = as_user(org.gm).get(reverse(name) + f"?month={month}")
    assert response.status_code == 422
    assert "年份应在 1900 到 2999 之间" in response.content.decode()


def test_a_superscript_notification_id_is_a_400_and_marks_nothing(as_user, org):
    response = as_user(org.rep_a).post(reverse("web:notifications_read"), {"id": "²"})
    assert response.status_code == 400
    assert "提醒编号无效" in response.content.decode()


def test_a_superscript_version_is_a_400_and_deletes_nothing(as_user, org):
    customer = make_customer(org.rep_a, name="甲")
    url = reverse("web:customer_delete", args=[customer.pk])
    response = as_user(org.rep_a).post(url, {"version": "²"})
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.deleted_at is None


def test_a_superscript_version_on_a_plan_is_a_form_error(as_user, org):
    from crm.activities import services as activities

    customer = make_customer(org.rep_a, name="甲")
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=customer.pk,
        data={"method": "phone", "planned_at": "2099-01-05T10:00:00+08:00"},
    )
    url = reverse("web:plan_update", args=[customer.pk, plan.pk])
    prefix = f"p{plan.pk}"
    response = as_user(org.rep_a).post(
        url,
        {
            f"{prefix}-planned_at": "2099-01-06T10:00",
            f"{prefix}-method": "phone",
            f"{prefix}-version": "²",
        },
    )
    assert response.status_code in (302, 422)  # the plan list again, with the message
    plan.refresh_from_db()
    assert plan.version == 1


def test_an_id_beyond_64_bits_in_the_address_is_not_found(as_user, org):
    response = as_user(org.gm).get("/customers/99999999999999999999/")
    assert response.status_code == 404


def test_a_list_filter_beyond_64_bits_or_superscript_is_ignored(as_user, org):
    make_customer(org.rep_a, name="甲")
    client = as_user(org.gm)
    assert client.get("/customers/?owner=99999999999999999999").status_code == 200
    assert client.get("/customers/?tag=²").status_code == 200
