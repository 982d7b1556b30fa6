"""Compile every .po file of the project to .mo with polib (pure Python: no GNU gettext needed).

``make install`` runs it; the .mo files are build products and are not committed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management.base import BaseCommand


def po_files() -> list[Path]:
    return sorted(p for p in Path(settings.PACKAGE_DIR).rglob("locale/*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile the project's .po files to .mo (only those that changed)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for po_path in po_files():
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
        self.stdout.write(f"translations compiled: {compiled}")
