"""Database triggers that make the audit table append-only.

PostgreSQL: UPDATE and DELETE are rejected, except the one change Django makes when a user is
deleted (``actor_id`` set to NULL, every other column unchanged; ``actor_id`` is not hashed).
TRUNCATE is not guarded, so ``manage.py flush`` and the test suite can still empty databases.

SQLite: the same UPDATE rule; DELETE is allowed only for the oldest remaining row, because
Django's flush empties tables with ``DELETE FROM`` (row by row in insertion order) on SQLite.
Removing a row from the middle of the chain is rejected; pruning the head is still reported by
``manage.py audit_verify`` (the chain must start at seq 1).

Note for future migrations on SQLite: altering this table rebuilds it and drops its triggers;
such a migration must recreate them (tests/audit checks the triggers are in place).
"""

from django.db import migrations

TABLE = "audit_auditevent"
COLUMNS = (
    "seq",
    "time",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "request_id",
    "prev_hash",
    "hash",
)

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_event_append_only();
"""

_UNCHANGED = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in COLUMNS)

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {_UNCHANGED})
    BEGIN
        SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused');
    END
    """,
    f"""
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.seq > (SELECT MIN(seq) FROM {TABLE})
    BEGIN
        SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused');
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
