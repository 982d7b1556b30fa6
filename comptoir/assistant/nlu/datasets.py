"""Labelled text files: CSV, TSV or JSONL, with named text and label columns."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    group: str = ""  # examples sharing a group (a phrasing) stay on one side of a split


class DatasetError(ValueError):
    pass


def read_examples(
    path: Path | str,
    *,
    text_col: str = "text",
    label_col: str = "label",
    group_col: str | None = None,
    skip_empty_labels: bool = True,
) -> list[Example]:
    """Rows of ``path`` as examples. The format comes from the suffix: ``.jsonl`` (one object a
    line), ``.tsv`` (tab-separated), anything else CSV; the first row of CSV/TSV is the header."""
    path = Path(path)
    rows: list[dict[str, object]]
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with open(path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    else:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f, delimiter=delimiter))
    examples: list[Example] = []
    for number, row in enumerate(rows, start=2):
        if text_col not in row or label_col not in row:
            raise DatasetError(
                f"{path.name}: row {number} has no column {text_col!r} or {label_col!r} "
                f"(columns: {', '.join(map(str, row))})"
            )
        text = str(row[text_col] or "").strip()
        label = str(row[label_col] or "").strip()
        if not text or (not label and skip_empty_labels):
            continue
        group = str(row.get(group_col) or "") if group_col else ""
        examples.append(Example(text=text, label=label, group=group))
    return examples
