"""The business calendar and the SLA clock: deadlines in working hours.

A day is a working day when its weekday is one of ``ServiceSettings.weekdays`` and it is not a
holiday of the ``CalendarDay`` table, or when the table says it is worked (调休上班: a Saturday
or Sunday worked to make a holiday longer). On a working day the clock runs from
``work_start`` to ``work_end`` (local time); at any other time it stands still. A deadline of
4 working hours registered on Friday at 17:00 falls on Monday at 12:00 — or later, when Monday
is a holiday.

Why a table of our own, written by hand, and not the ``holidays`` package: ``holidays`` 0.108
(November 2026) knows China's public holidays and, for 2026, the adjusted working days
(``weekend_workdays``), but not the 2027 arrangement, which the General Office of the State
Council publishes each November or December; a company also closes on days of its own. The
table is what the clock reads: managers edit it (``/service/calendar/``, ``PUT
/api/v1/service/calendar/{day}``) when the year's notice appears. The migration seeds 2026 from
the General Office of the State Council's notice of November 2025 on the 2026 holidays (it
agrees with ``holidays``) and 2027 with the
statutory days of 全国年节及纪念日放假办法 (2024) and their usual in-lieu weekdays only, marked
预排 until the notice is out. Weekends are off by the weekly rule and need no row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from .models import CalendarDay, DayKind, ServiceSettings

# a calendar without a working day for this long is a mistake in the table: time runs plainly
HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(day, self.start, tzinfo=tz),
            dt.datetime.combine(day, self.end, tzinfo=tz),
        )

    def add(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The moment ``minutes`` working minutes after ``start``."""
        moment = timezone.localtime(start)
        left = dt.timedelta(minutes=minutes)
        day = moment.date()
        for _n in range(HORIZON_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(opens, moment)
                if begin < closes:
                    if begin + left <= closes:
                        return begin + left
                    left -= closes - begin
            day += dt.timedelta(days=1)
        return moment + left

    def between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working minutes from ``start`` to ``end`` (0 when ``end`` is not later)."""
        a, b = timezone.localtime(start), timezone.localtime(end)
        if b <= a:
            return 0
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                lo, hi = max(opens, a), min(closes, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return int(total.total_seconds() // 60)


def current() -> Calendar:
    """The calendar as the tables say now (two small reads)."""
    settings = ServiceSettings.objects.order_by("pk").first() or ServiceSettings()
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        (workdays if kind == DayKind.WORKDAY else holidays).add(day)
    weekdays = frozenset(int(c) for c in settings.weekdays if c in "1234567")
    return Calendar(
        start=_time(settings.work_start),
        end=_time(settings.work_end),
        weekdays=weekdays,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
    )


def _time(value: dt.time | str) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)
