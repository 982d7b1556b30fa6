from __future__ import annotations

from typing import Any

from django.db import migrations

FIRST_NUMBER = 100001


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS tickets_ticket_number_seq START {FIRST_NUMBER}"
        )
    else:
        apps.get_model("tickets", "TicketNumberCounter").objects.get_or_create(
            name="ticket", defaults={"value": FIRST_NUMBER - 1}
        )


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS tickets_ticket_number_seq")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
