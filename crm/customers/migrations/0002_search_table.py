"""The customer search index: an FTS5 table on SQLite, a GIN tsvector table on PostgreSQL.

Created by raw SQL per vendor (see crm.customers.search); the model state records only its key so
that Django's test flushes clear it.
"""

from django.db import migrations, models
import django.db.models.deletion


def create(apps, schema_editor):
    from crm.customers import search

    for sql in search.create_table_sql():
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    from crm.customers import search

    for sql in search.drop_table_sql():
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CustomerSearch",
                    fields=[
                        (
                            "customer",
                            models.OneToOneField(
                                db_column="rowid", db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True,
                                related_name="+", serialize=False, to="customers.customer",
                            ),
                        ),
                    ],
                    options={"db_table": "customers_search"},
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
