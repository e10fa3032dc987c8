"""客户共享: the shipped rep role holds the customer work a share opens (view, edit, follow up,
plan) at scope ``assigned`` instead of ``own``, so customers a colleague shares with a rep count
for them; deleting, assigning and the reports stay ``own``. Scope ``assigned`` is not "wide"
(crm.accounts.roles), so no confirmation is asked."""

from django.db import migrations

from crm.accounts.migration_grants import rescope_builtin

ACTIONS = (
    "customers.view_customer",
    "customers.change_customer",
    "activities.view_plan",
    "activities.add_followup",
    "activities.manage_plan",
    "activities.count_followup",
)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0015_customershare"),
        ("accounts", "0010_user_must_change_password"),
    ]

    operations = [migrations.RunPython(*rescope_builtin(ACTIONS, "rep", "own", "assigned"))]
