"""The knowledge-base actions for the shipped roles (crm.accounts.roles.CARE_GRANTS)."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "knowledge.view_article": {
        "rep": "all",
        "manager": "all",
        "director": "all",
        "receptionist": "all",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "knowledge.manage_article": {"manager": "all", "director": "all", "gm": "all"},
}


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("accounts", "0012_rate_counters"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
