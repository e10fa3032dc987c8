"""The verification's actions for the shipped roles (crm.accounts.roles.GOVERNANCE_GRANTS): the
data administrator runs the rounds; each rep verifies their own records, a manager or director
those of the department."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "verification.manage_round": {"data_admin": "all"},
    "verification.verify_record": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "data_admin": "all",
        "gm": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_initial"),
        ("accounts", "0010_user_must_change_password"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
