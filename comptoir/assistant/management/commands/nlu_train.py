"""``manage.py nlu_train``: train (or load) the shipped engine now, so the first chat message
does not pay for it; prints the cache key and timings. ``--force`` retrains."""

from __future__ import annotations

import shutil
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.assistant.nlu import store
from comptoir.assistant.predictor import live_node_codes


class Command(BaseCommand):
    help = "Train or load the assistant's understanding engine into var/nlu/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="retrain even if cached")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = store.effective_node_codes(live_node_codes())
        if options["force"]:
            shutil.rmtree(
                store.default_cache_root() / store.cache_key(node_codes=codes), ignore_errors=True
            )
        start = time.perf_counter()
        engine, key = store.load_or_train(node_codes=codes)
        took = time.perf_counter() - start
        source = "loaded from cache" if engine.meta.get("loaded_from_cache") else "trained"
        self.stdout.write(
            f"{source} in {took:.2f}s: key={key} threshold={engine.intents.threshold:.2f} "
            f"intents={len(engine.intents.classifier.labels)} "
            f"nodes={len(engine.nodes.labels) if engine.nodes else 0}"
        )
