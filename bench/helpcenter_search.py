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


FILLER_TOPICS = {
    "fr": {
        "categories": "chaussures de sport|montres connectées|jouets en bois|vélos électriques|"
        "cosmétiques bio|pièces auto|vinyles|meubles de jardin|instruments de musique|"
        "matériel de camping|vêtements pour bébé|jeux vidéo rétro|luminaires|thé et café|"
        "bijoux fantaisie|imprimantes 3D|articles de pêche|papeterie|robots ménagers|"
        "accessoires pour chiens",
        "subjects": "Guide des tailles|Entretien et garantie|Fiche produit|Règles de mise en "
        "vente|Conseils d'achat|Normes de sécurité|Compatibilité|Notice de montage|"
        "Programme vendeur|Promotions saisonnières",
        "sentences": [
            "Les {cat} vendus sur Comptoir doivent respecter les normes européennes en vigueur.",
            "Chaque annonce de {cat} précise la marque, le modèle et l'état de l'article.",
            "Pour les {cat}, le vendeur indique les dimensions et le poids exacts.",
            "Consultez la fiche du produit pour connaître la garantie du fabricant des {cat}.",
            "Les photos des {cat} doivent montrer l'article réel, sous plusieurs angles.",
            "Certains {cat} sont soumis à des restrictions selon le pays de destination.",
            "Les vendeurs professionnels de {cat} affichent leur numéro d'entreprise.",
            "Les avis sur les {cat} sont publiés après vérification de l'achat.",
            "Comparez les caractéristiques techniques des {cat} avant de choisir.",
            "Les soldes sur les {cat} ont lieu deux fois par an.",
        ],
    },
    "en": {
        "categories": "running shoes|smartwatches|wooden toys|e-bikes|organic cosmetics|car "
        "parts|vinyl records|garden furniture|musical instruments|camping gear|baby clothes|"
        "retro video games|lamps|tea and coffee|costume jewellery|3D printers|fishing "
        "tackle|stationery|kitchen robots|dog accessories",
        "subjects": "Size guide|Care and warranty|Product page|Listing rules|Buying tips|"
        "Safety standards|Compatibility|Assembly instructions|Seller programme|Seasonal "
        "promotions",
        "sentences": [
            "{cat} sold on Comptoir must meet the European standards in force.",
            "Every listing of {cat} states the brand, the model and the condition of the item.",
            "For {cat}, the seller gives the exact dimensions and weight.",
            "See the product page for the manufacturer's warranty on {cat}.",
            "Photos of {cat} must show the real item, from several angles.",
            "Some {cat} are restricted depending on the destination country.",
            "Professional sellers of {cat} display their company number.",
            "Reviews of {cat} are published once the purchase is verified.",
            "Compare the technical features of {cat} before choosing.",
            "Sales on {cat} take place twice a year.",
        ],
    },
}


def filler_article(rng: random.Random, language: str, sentences: list[str], n: int) -> Any:
    """A synthetic article on another topic (a product category and a subject) that shares
    the help center's vocabulary: a title of its own, sentences about its category, and
    sentences taken from several different real articles (never one article reshuffled)."""
    from comptoir.helpcenter.models import Article

    topics = FILLER_TOPICS[language]
    category = rng.choice(str(topics["categories"]).split("|"))
    subject = rng.choice(str(topics["subjects"]).split("|"))
    own = [s.format(cat=category) for s in rng.sample(list(topics["sentences"]), rng.randint(3, 6))]
    borrowed = rng.sample(sentences, rng.randint(4, 10))
    body = own + borrowed
    rng.shuffle(body)
    title = f"{subject} : {category}" if language == "fr" else f"{subject}: {category}"
    return Article(
        slug=f"synthetic-{n}",
        language=language,
        title=title[0].upper() + title[1:],
        body_markdown=" ".join(body),
        status="published",
        position=1000 + n,
    )


def _bulk_articles(count: int) -> None:
    """``count`` synthetic articles, half per language (see ``filler_article``)."""
    import re

    from comptoir.core.search.ranking import ranked_index_many
    from comptoir.helpcenter.models import Article
    from comptoir.helpcenter.rendering import plain_text
    from comptoir.helpcenter.search import DOC_TYPE, ranked_document

    rng = random.Random(6)
    sentences: dict[str, list[str]] = {"fr": [], "en": []}
    for article in Article.objects.filter(status="published", internal=False):
        for sentence in re.split(r"(?<=[.!?])\s+", plain_text(article.body_markdown)):
            if len(sentence.split()) >= 5:
                sentences[article.language].append(sentence)
    created = 0
    while created < count:
        articles = []
        for _ in range(min(1000, count - created)):
            language = "fr" if created % 2 == 0 else "en"
            articles.append(filler_article(rng, language, sentences[language], created))
            created += 1
        Article.objects.bulk_create(articles)
        rows = Article.objects.filter(slug__in=[a.slug for a in articles])
        ranked_index_many(doc_type=DOC_TYPE, documents=(ranked_document(a) for a in rows))


def latency(questions: list[tuple[str, str, str]], rounds: int = 3) -> dict[str, Any]:
    from comptoir.helpcenter.search import search_articles

    for language in ("fr", "en"):  # warm the per-process statistics
        search_articles(query="colis", language=language)
    timings = []
    cpu = []  # this process's CPU time: SQLite's work, not PostgreSQL's (another process)
    for _ in range(rounds):
        for language, question, _slug in questions:
            start, start_cpu = time.perf_counter(), time.process_time()
            search_articles(query=question, language=language, limit=10)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    cpu.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "process_cpu_p95_ms": round(cpu[int(len(cpu) * 0.95) - 1], 2),
        "queries": len(timings),
        "load_average": [round(x, 2) for x in os.getloadavg()],
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
