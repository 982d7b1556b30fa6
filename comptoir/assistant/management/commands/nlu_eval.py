"""``manage.py nlu_eval --test FILE [--train FILE] [--text-col C --label-col L] [--oos-label X]``

With ``--train``, trains a fresh model of the shipped pipeline on that file (any label set) and
evaluates it; without it, evaluates the shipped intent model. Reads CSV, TSV or JSONL. The last
line is ``accuracy=0.XXXX macro_f1=0.XXXX p99_ms=N.N``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.assistant.nlu.datasets import DatasetError, read_examples
from comptoir.assistant.nlu.evaluate import evaluate
from comptoir.assistant.nlu.labels import OUT_OF_SCOPE
from comptoir.assistant.nlu.model import IntentModel, default_hyper


class Command(BaseCommand):
    help = "Evaluate the intent model (shipped, or trained fresh with --train) on a test file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--test", required=True, help="CSV, TSV or JSONL file to score")
        parser.add_argument("--train", help="train a fresh model of the same pipeline on this file")
        parser.add_argument("--text-col", default="text")
        parser.add_argument(
            "--label-col", default=None, help="default: 'intent' if present, else 'label'"
        )
        parser.add_argument(
            "--oos-label",
            default=None,
            help="the out-of-scope label: report its precision and recall, calibrate a threshold",
        )
        parser.add_argument("--top", type=int, default=10, help="confusions to print")

    def handle(self, *args: Any, **options: Any) -> None:
        text_col: str = options["text_col"]
        oos_label: str | None = options["oos_label"]
        try:
            test = self._read(options["test"], text_col, options["label_col"])
            if options["train"]:
                train = self._read(options["train"], text_col, options["label_col"])
                start = time.perf_counter()
                model = IntentModel.train(train, oos_label=oos_label, hyper=default_hyper())
                took = time.perf_counter() - start
                self.stdout.write(
                    f"trained on {len(train)} examples, {len(model.classifier.labels)} labels "
                    f"in {took:.1f}s (threshold={model.threshold:.2f})"
                )
            else:
                from comptoir.assistant.nlu.store import get_engine

                model = get_engine().intents
                oos_label = oos_label or OUT_OF_SCOPE
                self.stdout.write(f"shipped model (threshold={model.threshold:.2f})")
        except (DatasetError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not test:
            raise CommandError("The test file has no labelled rows.")
        model.predict([test[0].text])  # warm-up (lazy structures), not timed
        result = evaluate(
            lambda text: model.predict([text])[0][0],
            [e.text for e in test],
            [e.label for e in test],
            oos_label=oos_label,
        )
        for line in result.lines(top=options["top"]):
            self.stdout.write(line)

    @staticmethod
    def _read(path: str, text_col: str, label_col: str | None) -> list[Any]:
        if label_col is not None:
            return read_examples(path, text_col=text_col, label_col=label_col)
        try:
            return read_examples(path, text_col=text_col, label_col="intent")
        except DatasetError:
            return read_examples(path, text_col=text_col, label_col="label")
