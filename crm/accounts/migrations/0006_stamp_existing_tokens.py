"""Data: stamp the tokens issued before stamps existed with their user's current password, so
that they keep working until the password changes (or they expire)."""

import hashlib

from django.db import migrations


def stamp(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(password_stamp="").select_related("user"):
        digest = hashlib.sha256(f"crm-api-token:{token.user.password}".encode()).hexdigest()
        token.password_stamp = digest[:32]
        token.save(update_fields=["password_stamp"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_login_throttle_token_stamp")]

    operations = [migrations.RunPython(stamp, migrations.RunPython.noop)]
