"""Refresh planner statistics after 0006 added an index.

SQLite has no statistics for a new index until ANALYZE runs, and without them it picked the
(owner, created_at) index for the contact-status report and walked a whole department (0.7 s →
1.9 s at 1M customers). PostgreSQL would get there through autovacuum; ANALYZE samples, so it is
cheap on both.
"""

from django.db import migrations


def analyze(apps, schema_editor):
    schema_editor.execute("ANALYZE customers_customer")


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_owner_created_index")]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop)]
