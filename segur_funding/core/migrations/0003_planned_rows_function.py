"""`segur_planned_rows(query)`: the PostgreSQL planner's row estimate of a SELECT (EXPLAIN, not run),
so that the admin's page count asks for a capped count and, past the cap, the estimate in one
query (core/paginator.py). Additive: a function only; nothing on other databases."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION segur_planned_rows(query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    IF query !~* '^\s*select\s' THEN
        RAISE EXCEPTION 'segur_planned_rows: a SELECT only';
    END IF;
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric)::bigint;
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS segur_planned_rows(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_database_cache_table")]

    operations = [migrations.RunPython(create, drop)]
