"""老带新: the shipped roles get the referral actions (crm.accounts.roles.REFERRAL_GRANTS): sales
staff at their own scope, managers and directors their departments' (and the manager's
signature), the front desk links visitors at registration, the general manager everything and
the reward settings."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "referrals.view_referral": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "data_admin": "all",
        "gm": "all",
    },
    "referrals.issue_card": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "gm": "all",
    },
    "referrals.link_referral": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "receptionist": "department",
        "gm": "all",
    },
    "referrals.confirm_referral": {"manager": "department", "director": "department", "gm": "all"},
    "referrals.view_report": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "data_admin": "all",
        "gm": "all",
    },
    "referrals.change_settings": {"gm": "all"},
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_user_must_change_password"),
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
