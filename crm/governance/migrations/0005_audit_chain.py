"""The audit log's hash chain (ADR 0008): the seal columns, the sealer's queue index and, on
PostgreSQL, the trigger that makes the table append-only at the database level.

The trigger refuses every DELETE and every UPDATE except two: the one-time seal (``chain_seq``
and ``chain_hash`` from NULL to a value, every other column unchanged) and ``actor_id`` going
NULL when the user is deleted (Django's ON DELETE SET NULL; ``actor_id`` is not hashed,
``actor_name`` is). An INSERT may not bring its own seal. TRUNCATE is a statement, not a row
event: Django's test flush still works. SQLite has no such trigger (the model refuses updates
and deletes; the chain still shows any change made behind its back).
"""

from django.conf import settings
from django.db import migrations, models

GUARD = """
CREATE OR REPLACE FUNCTION governance_auditevent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kept governance_auditevent;  -- NEW with the columns allowed to change put back
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.chain_seq IS NOT NULL OR NEW.chain_hash IS NOT NULL THEN
            RAISE EXCEPTION 'audit entries are sealed by the sealer, not inserted sealed'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entry % cannot be deleted: the audit log is append-only', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    -- the one-time seal: the seal columns from NULL to a value, nothing else (the whole row
    -- compared, so a column added later is covered too)
    kept := NEW;
    kept.chain_seq := OLD.chain_seq;
    kept.chain_hash := OLD.chain_hash;
    IF OLD.chain_seq IS NULL AND OLD.chain_hash IS NULL
       AND NEW.chain_seq IS NOT NULL AND NEW.chain_hash IS NOT NULL
       AND kept IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    -- the actor's user row deleted (ON DELETE SET NULL): actor_name, which is hashed, stays
    kept := NEW;
    kept.actor_id := OLD.actor_id;
    IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND kept IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entry % cannot be changed: the audit log is append-only', OLD.id
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER governance_auditevent_append_only
    BEFORE INSERT OR UPDATE OR DELETE ON governance_auditevent
    FOR EACH ROW EXECUTE FUNCTION governance_auditevent_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS governance_auditevent_append_only ON governance_auditevent;
DROP FUNCTION IF EXISTS governance_auditevent_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0004_approval_subject'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='chain_hash',
            field=models.BinaryField(blank=True, null=True, verbose_name='链哈希'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain_seq',
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True, verbose_name='链序号'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('chain_seq__isnull', True)), fields=['id'], name='audit_unsealed'),
        ),
        migrations.RunPython(guard, unguard),
    ]
