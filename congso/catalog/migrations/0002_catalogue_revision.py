"""The catalogue revision token and the triggers that change it on every catalogue write."""

from typing import Any

from django.db import migrations, models

#: Every table whose rows a cached catalogue read depends on.
TABLES = (
    "catalog_field",
    "catalog_procedure",
    "catalog_procedureversion",
    "catalog_component",
    "catalog_process",
    "catalog_processstep",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_bump_revision() RETURNS trigger AS $$
BEGIN
    INSERT INTO catalog_revision (id, token)
    VALUES (1, floor((random() - 0.5) * 1.8e19)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
SQLITE_TRIGGER = (
    "CREATE TRIGGER {name} AFTER {op} ON {table} BEGIN "
    "INSERT INTO catalog_revision (id, token) VALUES (1, random()) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token; END"
)


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    execute = schema_editor.execute
    if vendor == "postgresql":
        execute(PG_FUNCTION)
        for table in TABLES:
            execute(
                f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalog_bump_revision()"
            )
        execute(
            "INSERT INTO catalog_revision (id, token) "
            "VALUES (1, floor((random() - 0.5) * 1.8e19)::bigint) ON CONFLICT (id) DO NOTHING"
        )
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("INSERT", "UPDATE", "DELETE"):
                execute(SQLITE_TRIGGER.format(name=f"{table}_revision_{op.lower()}", op=op, table=table))
        execute("INSERT OR IGNORE INTO catalog_revision (id, token) VALUES (1, random())")
    else:  # pragma: no cover - the project supports PostgreSQL and SQLite
        raise RuntimeError(f"catalogue revision triggers: unsupported database {vendor}")


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_revision ON {table}")
        else:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS catalog_bump_revision()")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueRevision",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.BigIntegerField(verbose_name="mã phiên bản danh mục")),
            ],
            options={
                "verbose_name": "phiên bản danh mục",
                "verbose_name_plural": "phiên bản danh mục",
                "db_table": "catalog_revision",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
