"""The company-wide grade table belongs to the general manager (or a role given that right), not
to every department manager: the shipped 销售经理 role loses customers.change_gradepolicy where it
still has the shipped grant (a company that gave it on purpose after that keeps it)."""

from django.db import migrations

ACTION = "customers.change_gradepolicy"


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="manager", builtin=True):
        if role.grants.get(ACTION) == "all":
            role.grants = {k: v for k, v in role.grants.items() if k != ACTION}
            role.version += 1
            role.save(update_fields=["grants", "version"])


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="manager", builtin=True):
        role.grants = {**role.grants, ACTION: "all"}
        role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_stamp_existing_tokens")]

    operations = [migrations.RunPython(forwards, backwards)]
