"""Keep the current month of the contact-status report from the upgrade on: every customer's
intention spells of the month in one statement (crm.reports.contact_status.keep_month). Months
before it are counted live when asked for."""

from django.db import migrations
from django.utils import timezone


def keep(apps, schema_editor):
    from crm.reports import contact_status

    contact_status.keep_month(timezone.localdate().replace(day=1))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_contact_month"),
        ("customers", "0010_search_scope"),
        ("activities", "0003_followup_counted"),
    ]

    operations = [migrations.RunPython(keep, migrations.RunPython.noop)]
