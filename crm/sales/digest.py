"""The owner's stale opportunities in the morning digest (crm.activities.services.on_digest):
open opportunities without activity for longer than their stage allows, names only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import VIEW_OPPORTUNITY

from . import selectors

LIST_MAX = 20


def digest_section(*, user: User, today: dt.date) -> tuple[str, int, list[str]] | None:
    if not user.has_action(VIEW_OPPORTUNITY):
        return None
    stale = selectors.stale_of(owner=user, limit=LIST_MAX)
    if not stale.total:
        return None
    now = timezone.now()
    lines = [
        "  · "
        + _("%(name)s（%(customer)s，%(stage)s，%(n)d 天无跟进）")
        % {
            "name": o.name,
            "customer": o.customer.name,
            "stage": o.stage.name,
            "n": selectors.idle_days(o, now),
        }
        for o in stale.items
    ]
    return _("【停滞的销售机会】%(n)d 个") % {"n": stale.total}, stale.total, lines
