from django.core.management import call_command
from django.db import migrations, models

import comptoir.core.clock


def create_cache_table(apps, schema_editor):
    # The database cache (embedded default) is shared by every process: rate limits live there.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Lease",
            fields=[
                ("name", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("holder", models.CharField(blank=True, default="", max_length=100)),
                ("expires_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="SeederRun",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("version", models.PositiveIntegerField()),
                ("applied_at", models.DateTimeField(default=comptoir.core.clock.now)),
            ],
        ),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
