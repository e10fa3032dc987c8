"""Re-index customers for search: on PostgreSQL the document now holds character pairs and
id-block lexemes (see crm.customers.search). SQLite's FTS5 rows are unchanged."""

from django.db import migrations


def reindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from crm.customers import search

    search.rebuild()


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_lifecycle_defaults")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
