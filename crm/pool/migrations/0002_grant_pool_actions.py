"""The shipped roles get the pool's actions (crm.accounts.roles.DEFAULT_GRANTS): a rep sees and
claims from the pools they are a member of and assigns from those they administer; managers and
directors work their department's pools; the data administrator sees, assigns and locks; the
general manager does everything."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

ALL, DEPT, ASSIGNED, OWN = "all", "department", "assigned", "own"

GRANTS = {
    "pool.view_pool": {
        "rep": ASSIGNED,
        "manager": DEPT,
        "director": DEPT,
        "data_admin": ALL,
        "gm": ALL,
    },
    "pool.claim_customer": {"rep": ASSIGNED, "manager": DEPT, "director": DEPT, "gm": ALL},
    "pool.assign_from_pool": {
        "rep": OWN,
        "manager": DEPT,
        "director": DEPT,
        "data_admin": ALL,
        "gm": ALL,
    },
    "pool.manage_pool": {"manager": DEPT, "director": DEPT, "gm": ALL},
    "pool.lock_customer": {"manager": DEPT, "director": DEPT, "data_admin": ALL, "gm": ALL},
}


class Migration(migrations.Migration):
    dependencies = [
        ("pool", "0001_pools"),
        ("accounts", "0010_user_must_change_password"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes)) for action, scopes in GRANTS.items()
    ]
