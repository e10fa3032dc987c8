"""The vCard import action for the shipped roles (crm.accounts.roles.VCARD_GRANTS): reps and
managers import their phones' contacts as their own customers."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {"vcards.import_vcard": {"rep": "all", "manager": "all"}}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_hardening")]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
