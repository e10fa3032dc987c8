"""Encryption at rest (ADR 0009): phones, ID numbers and the new bank account are stored
encrypted, with a keyed hash (blind index) beside phone and ID number that the unique
constraints now use; the search index holds keyed hashes of phone fragments instead of digits.

Existing rows are encrypted in batches by id (plain SQL, so the same on SQLite and PostgreSQL);
rows already encrypted are left alone, so running it over a half-done table is safe.
"""

from django.conf import settings
from django.db import migrations, models

BATCH = 2000


def encrypt_rows(apps, schema_editor):
    from crm.customers import crypto, search, sensitive

    crypto.forget()  # the keyring of this process's settings, read afresh
    with schema_editor.connection.cursor() as cur:
        for table, column, purpose in sensitive.ENCRYPTED_COLUMNS:
            if column == "bank_account":
                continue  # new: empty everywhere
            index = f"{column}_index"
            last = 0
            while True:
                cur.execute(
                    f"SELECT id, {column} FROM {table} WHERE id > %s AND {column} <> '' "
                    "ORDER BY id LIMIT %s",
                    [last, BATCH],
                )
                rows = cur.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                updates = []
                for pk, value in rows:
                    if crypto.is_encrypted(value):
                        continue
                    stored, hashed = sensitive.sealed(value, purpose)
                    updates.append((stored, hashed, pk))
                if updates:
                    cur.executemany(
                        f"UPDATE {table} SET {column} = %s, {index} = %s WHERE id = %s", updates
                    )
    search.rebuild()  # phone fragments as keyed hashes, from the decrypted phones


def decrypt_rows(apps, schema_editor):
    from crm.customers import crypto, sensitive

    with schema_editor.connection.cursor() as cur:
        for table, column, purpose in sensitive.ENCRYPTED_COLUMNS:
            if column == "bank_account":
                continue  # dropped by the reverse of this migration
            cur.execute(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")
            updates = [
                (crypto.decrypt(value, purpose), pk)
                for pk, value in cur.fetchall()
                if crypto.is_encrypted(value)
            ]
            cur.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", updates)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_user_must_change_password'),
        ('customers', '0016_rep_works_shared_customers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='customer',
            name='customer_unique_phone',
        ),
        migrations.RemoveConstraint(
            model_name='customer',
            name='customer_unique_id_number',
        ),
        migrations.AddField(
            model_name='contact',
            name='phone_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name='customer',
            name='bank_account_store',
            field=models.CharField(blank=True, db_column='bank_account', default='', max_length=120, verbose_name='银行账号'),
        ),
        migrations.AddField(
            model_name='customer',
            name='bank_name',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='开户银行'),
        ),
        migrations.AddField(
            model_name='customer',
            name='id_number_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name='customer',
            name='phone_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=16),
        ),
        migrations.AlterField(
            model_name='contact',
            name='phone_store',
            field=models.CharField(blank=True, db_column='phone', default='', max_length=120, verbose_name='电话'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='id_number_store',
            field=models.CharField(blank=True, db_column='id_number', default='', max_length=120, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='phone_store',
            field=models.CharField(blank=True, db_column='phone', default='', max_length=120, verbose_name='电话'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.UniqueConstraint(condition=models.Q(('deleted_at__isnull', True), models.Q(('phone_index', ''), _negated=True)), fields=('phone_index',), name='customer_unique_phone'),
        ),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.UniqueConstraint(condition=models.Q(('deleted_at__isnull', True), models.Q(('id_number_index', ''), _negated=True)), fields=('id_number_index',), name='customer_unique_id_number'),
        ),
    ]
