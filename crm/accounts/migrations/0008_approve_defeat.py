"""战败申请: the shipped managers and sales directors approve the defeats of their departments'
customers, the general manager anybody's (customers.approve_defeat)."""

from django.db import migrations

ACTION = "customers.approve_defeat"
SCOPES = {"manager": "department", "director": "department", "gm": "all"}


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=SCOPES, builtin=True):
        if ACTION not in role.grants:
            role.grants = {**role.grants, ACTION: SCOPES[role.code]}
            role.version += 1
            role.save(update_fields=["grants", "version"])


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=SCOPES, builtin=True):
        role.grants = {k: v for k, v in role.grants.items() if k != ACTION}
        role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_grade_table_is_the_gms")]

    operations = [migrations.RunPython(forwards, backwards)]
