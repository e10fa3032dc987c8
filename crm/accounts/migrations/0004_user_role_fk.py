import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """User.role becomes a reference to a Role row (roles are data); the column keeps the code."""

    dependencies = [
        ('accounts', '0003_default_roles'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.ForeignKey(blank=True, db_column='role', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='accounts.role', verbose_name='角色'),
        ),
    ]
