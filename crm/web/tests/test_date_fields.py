"""A date field shows the date it holds: ``<input type="date">`` takes only YYYY-MM-DD, and the
Chinese locale's own format (2026/11/01) left the visit summary's period blank after 查看."""

from __future__ import annotations

from django.urls import reverse


def test_the_visit_summarys_period_is_shown_in_its_date_fields(org, as_user):
    page = as_user(org.manager).get(
        reverse("web:reception_visits"), {"start": "2026-11-01", "end": "2026-11-30"}
    )
    text = page.content.decode()
    assert 'value="2026-11-01"' in text
    assert 'value="2026-11-30"' in text
