"""The database cache table (settings CACHES without REDIS_URL): API throttles shared by every
web process. Created whatever the current CACHES, so that dropping REDIS_URL later needs no step;
`createcachetable` would skip an existing table."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "segur_cache"  # settings.base CACHES["default"]["LOCATION"] without Redis


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_number_counter")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
