"""The search document holds the customer's owner and department (crm.customers.search): a
search narrowed to the searcher's scope reads only matches in it. SQLite copies its rows into an
FTS5 table with a ``scope`` column; PostgreSQL adds ``~o<owner>``/``~d<department>`` lexemes."""

from django.db import migrations


def add_scope(apps, schema_editor):
    from crm.customers import search

    search.add_scope()


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_defeat_needs_approval")]

    operations = [migrations.RunPython(add_scope, migrations.RunPython.noop)]
