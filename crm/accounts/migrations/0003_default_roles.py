"""The roles a company starts with (crm.accounts.roles); every existing user's role is one of them."""

from django.db import migrations


def forwards(apps, schema_editor):
    from crm.accounts.roles import DEFAULT_GRANTS, ROLE_DESCRIPTIONS, BuiltinRole

    Role = apps.get_model("accounts", "Role")
    for code, label in BuiltinRole.choices:
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": str(label),
                "description": str(ROLE_DESCRIPTIONS.get(code, "")),
                "grants": dict(DEFAULT_GRANTS[code]),
                "builtin": True,
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
