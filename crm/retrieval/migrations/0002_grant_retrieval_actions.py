"""The retrieval actions for the shipped roles (crm.accounts.roles.RETRIEVAL_GRANTS): whoever reads
customers may ask for an export of them; a request is seen by its requester, the managers and
directors of the requester's department, the data administrator and the general manager."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "retrieval.request_data": {
        "rep": "all",
        "manager": "all",
        "director": "all",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "retrieval.view_request": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "service": "own",
        "data_admin": "all",
        "gm": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("retrieval", "0001_initial"),
        ("accounts", "0011_hardening"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
