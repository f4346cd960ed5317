"""The database cache's table: without CACHE_URL, the processes share their cache there."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor) -> None:
    # Creates the table of every database cache in CACHES, and nothing when there is none
    # (with CACHE_URL set to Redis, say); running it twice is harmless.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("reports_admin", "0002_activity")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
