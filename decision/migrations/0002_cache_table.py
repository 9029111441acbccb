from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "decision_cache"  # settings.CACHES["default"]["LOCATION"] when no REDIS_URL is set


def create_cache_table(apps, schema_editor):
    # The database cache holds the rate-limit counters. The table is made whatever the cache settings are
    # when this runs, so that a site migrated with REDIS_URL set can later drop Redis and still work.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("decision", "0001_initial")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
