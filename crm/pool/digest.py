"""The owner's warning before a return, in the morning digest (crm.activities.services.on_digest):
the customers returning to a pool within the pool's warning days, names only."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import VIEW_POOL

from . import selectors


def digest_section(*, user: User, today: dt.date) -> tuple[str, int, list[str]] | None:
    if not user.has_action(VIEW_POOL):
        return None
    coming = selectors.returning(actor=user, today=today)
    if not coming:
        return None
    lines = [
        "  · "
        + _("%(name)s（%(day)s 收回公海“%(pool)s”）")
        % {"name": r.name, "day": r.return_on.isoformat(), "pool": r.pool_name}
        for r in coming
    ]
    return _("【即将收回公海】%(n)d 位客户") % {"n": len(coming)}, len(coming), lines
