"""The hand-over's actions for the shipped roles (crm.accounts.roles.GOVERNANCE_GRANTS): managers
and directors start the hand-over of a rep of their department, the director (and the general
manager) signs it off, the data-management department keeps every record."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "handover.view_handover": {
        "manager": "department",
        "director": "department",
        "data_admin": "all",
        "gm": "all",
    },
    "handover.start_handover": {"manager": "department", "director": "department", "gm": "all"},
    "handover.approve_handover": {"director": "department", "gm": "all"},
}


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0001_initial"),
        ("accounts", "0010_user_must_change_password"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
