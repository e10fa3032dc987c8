"""The API's rate-limit counters in a table of their own (crm.api.middleware): one row per
bucket (a client address or a token's hash), counted by one statement per request instead of
the database cache's read, count, select and update in a transaction per bucket (12 statements
and two commits per API request). UNLOGGED on PostgreSQL: counters of the current minute need
no crash safety, and a commit that wrote only to an unlogged table waits for no WAL flush."""

from django.db import migrations

TABLE = "crm_rate_counter"


def create(apps, schema_editor):
    unlogged = "UNLOGGED " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE {unlogged}TABLE IF NOT EXISTS {TABLE} (bucket varchar(100) PRIMARY KEY, "
        "period bigint NOT NULL, hits integer NOT NULL)"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_hardening")]

    operations = [migrations.RunPython(create, drop)]
