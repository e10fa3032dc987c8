"""战败申请: the shipped managers and sales directors approve the defeats of their departments'
customers, the general manager anybody's (customers.approve_defeat)."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

ACTION = "customers.approve_defeat"
SCOPES = {"manager": "department", "director": "department", "gm": "all"}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_grade_table_is_the_gms")]

    operations = [migrations.RunPython(*grant_to_builtin(ACTION, SCOPES))]
