"""The sales actions for the shipped roles (crm.accounts.roles.SALES_GRANTS): reps work their own
opportunities, managers and directors their departments' and set up the pipelines, the general
manager everyone's; the data administrator reads them all."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "sales.view_opportunity": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "data_admin": "all",
        "gm": "all",
    },
    "sales.change_opportunity": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "gm": "all",
    },
    "sales.manage_pipeline": {"manager": "all", "director": "all", "gm": "all"},
}


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("accounts", "0012_rate_counters"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
