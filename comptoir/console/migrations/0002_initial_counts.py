"""Count the tickets that exist when the console is installed (the sweep reconciles later)."""

from django.db import migrations
from django.db.models import Count

ACTIVE = ("new", "open", "pending")


def count_existing(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    QueueCounter = apps.get_model("console", "QueueCounter")
    rows = (
        Ticket.objects.filter(status__in=ACTIVE)
        .values("team_id", "assignee_id", "status", "sla_state", "restricted")
        .annotate(n=Count("id"))
        .order_by()
    )
    QueueCounter.objects.bulk_create(
        [
            QueueCounter(
                team_key=row["team_id"] or 0,
                assignee_key=row["assignee_id"] or 0,
                status=row["status"],
                sla_state=row["sla_state"],
                restricted=row["restricted"],
                shard=0,
                n=row["n"],
            )
            for row in rows
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("console", "0001_initial"), ("tickets", "0002_ticket_number_sequence")]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
