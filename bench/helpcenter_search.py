"""Help-center search: recall@3 per language on the committed questions
(``bench/data/helpcenter_questions.tsv``, written before any tuning), and p95 latency with
10,000 articles. Run: ``python -m bench helpcenter_search`` (SQLite by default; set
DATABASE_URL for PostgreSQL). Uses a throw-away test database."""

from __future__ import annotations

import os
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

QUESTIONS = Path(__file__).resolve().parent / "data" / "helpcenter_questions.tsv"
TARGET_ARTICLES = 10_000


def load_questions() -> list[tuple[str, str, str]]:
    rows = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, question, slug = line.split("\t")
            rows.append((language, question, slug))
    return rows


def _setup() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.test")
    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    return runner, runner.setup_databases()


def recall(
    questions: list[tuple[str, str, str]],
) -> tuple[dict[str, float], dict[str, list[str]], list[list[str]]]:
    from comptoir.helpcenter.search import search_articles

    hits: dict[str, list[int]] = {"fr": [], "en": []}
    misses: dict[str, list[str]] = {"fr": [], "en": []}
    tops = []
    for language, question, slug in questions:
        top = [
            h.article.slug for h in search_articles(query=question, language=language, limit=3).hits
        ]
        tops.append(top)
        hits[language].append(1 if slug in top else 0)
        if slug not in top:
            misses[language].append(f"{question} → {top} (want {slug})")
    return {lang: round(sum(v) / len(v), 3) for lang, v in hits.items() if v}, misses, tops


def _bulk_articles(count: int) -> None:
    """Synthetic articles made of the real ones' sentences, shuffled (realistic vocabulary)."""
    from comptoir.core.search import normalise
    from comptoir.core.search.models import SearchDocument
    from comptoir.helpcenter.models import Article
    from comptoir.helpcenter.rendering import plain_text
    from comptoir.helpcenter.search import DOC_TYPE

    rng = random.Random(6)
    base = list(Article.objects.filter(status="published"))
    created = 0
    batch_size = 1000
    while created < count:
        articles = []
        for _ in range(min(batch_size, count - created)):
            source = rng.choice(base)
            words = plain_text(source.body_markdown).split()
            rng.shuffle(words)
            articles.append(
                Article(
                    slug=f"synthetic-{created}",
                    language=source.language,
                    node=source.node,
                    title=" ".join(rng.sample(words, min(6, len(words)))),
                    body_markdown=" ".join(words[:180]),
                    status="published",
                    position=1000 + created,
                )
            )
            created += 1
        Article.objects.bulk_create(articles)
        rows = Article.objects.filter(slug__in=[a.slug for a in articles])
        SearchDocument.objects.bulk_create(
            SearchDocument(
                doc_type=DOC_TYPE,
                doc_id=a.pk,
                language=a.language,
                text=normalise(f"{a.title}\n{a.body_markdown}", language=a.language),
            )
            for a in rows
        )


def latency(questions: list[tuple[str, str, str]], rounds: int = 3) -> dict[str, float]:
    from comptoir.helpcenter.search import search_articles

    for language in ("fr", "en"):  # warm the per-process statistics
        search_articles(query="colis", language=language)
    timings = []
    for _ in range(rounds):
        for language, question, _slug in questions:
            start = time.perf_counter()
            search_articles(query=question, language=language, limit=10)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "queries": len(timings),
    }


def run() -> dict[str, Any]:
    runner, old = _setup()
    try:
        from django.db import connection

        from comptoir.helpcenter.models import Article
        from comptoir.helpcenter.seeders import helpcenter_seed
        from comptoir.taxonomy.seeders import taxonomy_seed

        taxonomy_seed()
        helpcenter_seed()
        questions = load_questions()
        scores, misses, tops = recall(questions)
        _bulk_articles(TARGET_ARTICLES - Article.objects.count())
        speed = latency(questions)
        scores_big, _misses_big, _tops = recall(questions)
        result = {
            "database": connection.vendor,
            "machine": f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs".strip(),
            "questions": {lang: sum(1 for q in questions if q[0] == lang) for lang in ("fr", "en")},
            "recall_at_3": scores,
            "recall_at_3_with_10k_articles": scores_big,
            "articles": Article.objects.count(),
            **speed,
        }
        if os.environ.get("BENCH_VERBOSE"):
            result["misses"] = misses
            result["top3"] = tops
        return result
    finally:
        runner.teardown_databases(old)
