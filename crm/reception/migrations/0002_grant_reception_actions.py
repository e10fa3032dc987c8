"""The reception desk's actions for the shipped roles (crm.accounts.roles.DEFAULT_GRANTS): the
front desk registers, looks up and keeps the rotation; reps set their own status and see their
own record; managers and directors run their showroom's desk and decide complaints; the general
manager everything; the data administrator reads."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

DESK = {"receptionist": "department", "manager": "department", "director": "department"}
GRANTS = {
    "reception.register_visit": {**DESK, "gm": "all"},
    "reception.lookup_customer": {
        "receptionist": "all",
        "manager": "all",
        "director": "all",
        "gm": "all",
        "data_admin": "all",
    },
    "reception.manage_rotation": {**DESK, "rep": "own", "gm": "all"},
    "reception.view_visit": {**DESK, "rep": "own", "gm": "all", "data_admin": "all"},
    "reception.file_complaint": {
        "rep": "all",
        "receptionist": "all",
        "manager": "all",
        "director": "all",
        "gm": "all",
    },
    "reception.decide_complaint": {"manager": "department", "director": "department", "gm": "all"},
    "reception.view_record": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "gm": "all",
        "data_admin": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0001_initial"),
        ("accounts", "0010_user_must_change_password"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
