"""The form actions for the shipped roles (crm.accounts.roles.QUESTIONNAIRE_GRANTS): managers,
directors, the data administrator and the general manager design forms; they and the reps fill
them (on the customers they may edit)."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "questionnaires.manage_form": {
        "manager": "all",
        "director": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "questionnaires.fill_form": {
        "rep": "all",
        "manager": "all",
        "director": "all",
        "data_admin": "all",
        "gm": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_initial"),
        ("accounts", "0011_hardening"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
