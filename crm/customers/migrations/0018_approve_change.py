"""客户数据变更申请: the data administrator decides reps' change requests of customer master data
(and edits it directly), over all customers."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0017_encryption_at_rest"),
        ("accounts", "0010_user_must_change_password"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin("customers.approve_change", {"data_admin": "all"}))
    ]
