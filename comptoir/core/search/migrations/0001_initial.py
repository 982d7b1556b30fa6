from __future__ import annotations

from typing import Any

from django.db import migrations, models

import comptoir.core.clock

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE core_search_fts USING fts5("
    "text, content='core_search_searchdocument', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER core_search_ai AFTER INSERT ON core_search_searchdocument BEGIN "
    "INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER core_search_ad AFTER DELETE ON core_search_searchdocument BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "END",
    "CREATE TRIGGER core_search_au AFTER UPDATE ON core_search_searchdocument BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_search_au",
    "DROP TRIGGER IF EXISTS core_search_ad",
    "DROP TRIGGER IF EXISTS core_search_ai",
    "DROP TABLE IF EXISTS core_search_fts",
]
PG_FORWARD = [
    "CREATE INDEX core_search_tsv_gin ON core_search_searchdocument "
    "USING gin (to_tsvector('simple'::regconfig, text))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS core_search_tsv_gin"]


def forward(apps: Any, schema_editor: Any) -> None:
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps: Any, schema_editor: Any) -> None:
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("doc_type", models.CharField(max_length=40)),
                ("doc_id", models.BigIntegerField()),
                ("language", models.CharField(default="", max_length=8)),
                ("text", models.TextField(default="")),
                ("updated_at", models.DateTimeField(default=comptoir.core.clock.now)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("doc_type", "doc_id"), name="searchdoc_type_id_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
