"""The survey and care actions for the shipped roles (crm.accounts.roles.CARE_GRANTS)."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "care.run_survey": {"service": "all", "gm": "all"},
    "care.view_survey": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "care.answer_survey": {"service": "all", "gm": "all"},
    "care.manage_action": {
        "manager": "department",
        "director": "department",
        "service": "all",
        "gm": "all",
    },
    "care.work_action": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "service": "all",
        "gm": "all",
    },
    "care.view_care": {
        "rep": "all",
        "manager": "all",
        "director": "all",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "care.manage_campaign": {"manager": "all", "director": "all", "service": "all", "gm": "all"},
    "care.record_care": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "service": "all",
        "gm": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
        ("accounts", "0012_rate_counters"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
