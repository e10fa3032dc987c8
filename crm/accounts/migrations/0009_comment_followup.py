"""点评: the shipped managers and sales directors comment on their departments' follow-ups, the
general manager on anybody's (activities.comment_followup)."""

from django.db import migrations

ACTION = "activities.comment_followup"
SCOPES = {"manager": "department", "director": "department", "gm": "all"}


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=SCOPES, builtin=True):
        if ACTION not in role.grants:
            role.grants = {**role.grants, ACTION: SCOPES[role.code]}
            role.version += 1
            role.save(update_fields=["grants", "version"])


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=SCOPES, builtin=True):
        role.grants = {k: v for k, v in role.grants.items() if k != ACTION}
        role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_approve_defeat")]

    operations = [migrations.RunPython(forwards, backwards)]
