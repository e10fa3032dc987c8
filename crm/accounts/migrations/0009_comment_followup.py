"""点评: the shipped managers and sales directors comment on their departments' follow-ups, the
general manager on anybody's (activities.comment_followup)."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

ACTION = "activities.comment_followup"
SCOPES = {"manager": "department", "director": "department", "gm": "all"}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_approve_defeat")]

    operations = [migrations.RunPython(*grant_to_builtin(ACTION, SCOPES))]
