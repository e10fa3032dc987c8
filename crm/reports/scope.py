"""Who a report is about: the rows (one per rep) an actor may see, and the department filter.

The data behind each row is always read through ``crm.core.permissions.restrict`` with the
``reports.view_reports`` action, so the data scope of the role decides what is counted: a rep
counts own records, a manager the department's, the general manager and the data administrator
everything; the system administrator has no reports at all. The rows follow the same scope: a
rep sees one row (their own), a manager the people of the department and its sub-departments,
the others everybody, optionally narrowed to one department.

A row is shown for every active user in scope whose role is listed in reports as sales staff
(``reports.report_row``: a rep with nothing to report is worth seeing) and for anybody else in
scope who has something in the report (a manager who recorded follow-ups, a rep who has left but
still owns customers). Who is in scope is the reports action's scope over people (the ``User``
policy): oneself, the department's people, or everybody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Department, User
from crm.accounts.roles import REPORT_ROW, VIEW_REPORTS
from crm.core.errors import Invalid
from crm.core.permissions import Scope, in_departments, require, restrict, scope_of


@dataclass(frozen=True)
class ReportScope:
    actor: User
    department: Department | None
    staff: tuple[User, ...]
    action: str = VIEW_REPORTS  # reading a report, or exporting it (its own scope)

    @property
    def staff_ids(self) -> list[int]:
        return [u.pk for u in self.staff]

    def rows(self, active: Iterable[int]) -> list[User]:
        """The people to show: active reps in scope, the actor on a rep's own report, and
        anybody in scope with something in the report (``active``)."""
        wanted = set(active)
        own = scope_of(self.actor, self.action) == Scope.OWN
        return [
            u
            for u in self.staff
            if u.pk in wanted or u.has_action(REPORT_ROW) or (own and u == self.actor)
        ]


def report_departments(actor: User, action: str = VIEW_REPORTS) -> QuerySet[Department]:
    """Departments the actor may narrow a report to (none for a rep, who sees only their own)."""
    return restrict(Department.objects.all(), actor, action)


def report_scope(
    *, actor: User, department_id: int | None = None, action: str = VIEW_REPORTS
) -> ReportScope:
    """The rows of a report for ``actor`` read with ``action`` (viewing, or exporting: each has
    its own scope); 403 without it."""
    require(actor, action)
    department = None
    if department_id is not None:
        department = report_departments(actor, action).filter(pk=department_id).first()
        if department is None:
            raise Invalid(fields={"department": _("不是有效的选项")})
    users = restrict(User.objects.all(), actor, action).select_related("department", "role")
    if department is not None:
        users = in_departments(users, department.subtree_ids())
    staff = tuple(users.order_by("department__path", "id"))
    return ReportScope(actor=actor, department=department, staff=staff, action=action)


def report_coverage(*, actor: User, department_id: int | None, action: str = VIEW_REPORTS) -> str:
    """What a report (or its export) covers, in words: the department picked, else what the
    actor's scope reaches (全部 only for those who see everything; a manager's export says the
    department it covers, a rep's says the rep)."""
    scope = scope_of(actor, action)
    if department_id is not None:
        department = report_departments(actor, action).filter(pk=department_id).first()
        if department is not None:
            return department.name
    if scope == Scope.ALL:
        return _("全部")
    if scope == Scope.DEPARTMENT and actor.department is not None:
        return _("%(department)s（含下级部门）") % {"department": actor.department.name}
    return actor.display_name


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day as [start, end) moments."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return start, end


def month_end(month: dt.date) -> dt.date:
    """The last day of the month that ``month`` lies in."""
    first_of_next = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_of_next - dt.timedelta(days=1)
