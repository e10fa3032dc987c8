from __future__ import annotations

import pytest

from crm.pool import services


@pytest.fixture
def pool(org):
    """销售一部's pool: rep_a and rep_b are members, rep_b administers it; customers return
    after 10 days without a follow-up, with a warning 3 days before; a former owner waits 30
    days; 2 claims a day, 2 at a time, no cap."""
    made = services.pool_create(
        actor=org.gm,
        data={
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk, org.rep_b.pk],
            "admins": [org.rep_b.pk],
            "hidden_fields": ["company"],
            "warn_days": 3,
            "reclaim_days": 30,
            "claims_per_day": 2,
            "claims_per_time": 2,
            "cap_per_rep": 0,
        },
    )
    services.rule_add(actor=org.gm, pool_id=made.pk, data={"kind": "no_followup", "days": 10})
    return made
