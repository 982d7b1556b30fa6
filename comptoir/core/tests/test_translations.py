"""Every French catalogue is complete: no empty, fuzzy or placeholder-mismatched entry."""

from __future__ import annotations

import re

import polib  # type: ignore[import-untyped]
import pytest

from comptoir.core.management.commands.compile_translations import po_files

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def french_catalogues():
    return [p for p in po_files() if "/locale/fr/" in str(p)]


def test_there_are_french_catalogues():
    assert french_catalogues(), "no locale/fr/LC_MESSAGES/django.po found"


@pytest.mark.parametrize("path", french_catalogues(), ids=lambda p: str(p).split("comptoir/")[-1])
def test_french_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if entry.msgid_plural:
            translations = list(entry.msgstr_plural.values())
        else:
            translations = [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            if sorted(PLACEHOLDER.findall(text)) != expected and not entry.msgid_plural:
                problems.append(f"placeholders differ: {entry.msgid!r}")
    assert problems == []
