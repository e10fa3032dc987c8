"""The import action for the shipped roles (crm.accounts.roles.IMPORT_GRANTS): managers and
directors import for their departments, the data administrator and the general manager for
everyone; reps, the front desk, service staff and the system administrator do not import."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "imports.import_customers": {
        "manager": "department",
        "director": "department",
        "data_admin": "all",
        "gm": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("accounts", "0011_hardening"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
