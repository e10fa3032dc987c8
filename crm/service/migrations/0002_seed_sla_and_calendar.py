"""The SLA table (deadlines per severity, in working hours), the working hours and the calendar
of 2026 and 2027 (crm.service.calendar says where the dates come from). Weekdays off and
weekends worked only: an ordinary weekend needs no row."""

from django.db import migrations

SLA = {  # severity: (response, resolve, to the general manager after), working hours
    "critical": (1, 8, 4),
    "high": (2, 16, 8),
    "normal": (4, 24, 16),
    "low": (8, 40, 24),
}

# 2026: the State Council's arrangement (国务院办公厅关于2026年部分节假日安排的通知)
HOLIDAYS_2026 = {
    "元旦": ["2026-01-01", "2026-01-02"],
    "春节": ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"],
    "清明节": ["2026-04-06"],
    "劳动节": ["2026-05-01", "2026-05-04", "2026-05-05"],
    "端午节": ["2026-06-19"],
    "中秋节": ["2026-09-25"],
    "国庆节": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"],
}
WORKDAYS_2026 = {
    "元旦调休": ["2026-01-04"],
    "春节调休": ["2026-02-14", "2026-02-28"],
    "劳动节调休": ["2026-05-09"],
    "国庆节调休": ["2026-09-20", "2026-10-10"],
}
# 2027: the statutory days (全国年节及纪念日放假办法, 2024) on weekdays and the usual in-lieu
# weekdays of those falling on a weekend; no adjusted working days until the notice is out
HOLIDAYS_2027 = {
    "元旦": ["2027-01-01"],
    "春节（预排）": ["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"],
    "清明节": ["2027-04-05"],
    "劳动节（预排）": ["2027-05-03", "2027-05-04"],
    "端午节": ["2027-06-09"],
    "中秋节": ["2027-09-15"],
    "国庆节（预排）": ["2027-10-01", "2027-10-04", "2027-10-05"],
}


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    ServiceSettings = apps.get_model("service", "ServiceSettings")
    CalendarDay = apps.get_model("service", "CalendarDay")
    for severity, (response, resolve, gm) in SLA.items():
        SlaPolicy.objects.get_or_create(
            severity=severity,
            defaults={"response_hours": response, "resolve_hours": resolve, "gm_after_hours": gm},
        )
    if not ServiceSettings.objects.exists():
        ServiceSettings.objects.create(work_start="09:00", work_end="18:00", weekdays="12345")
    for table, kind in ((HOLIDAYS_2026, "holiday"), (WORKDAYS_2026, "workday"), (HOLIDAYS_2027, "holiday")):
        for name, days in table.items():
            for day in days:
                CalendarDay.objects.get_or_create(day=day, defaults={"kind": kind, "name": name})


def unseed(apps, schema_editor):
    apps.get_model("service", "CalendarDay").objects.all().delete()
    apps.get_model("service", "SlaPolicy").objects.all().delete()
    apps.get_model("service", "ServiceSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
