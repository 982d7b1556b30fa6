"""The ranked query (see ranking.py for the formula): BM25 summed by the database over the
postings of the query's terms, best ``limit`` first, in one statement and one pass.

The cost is one read of each posting of the query's terms through the covering index, plus one
aggregation per document. A word whose forms reduce to one term in the index (most words) adds
its score posting by posting: idf · (saturated tf + boosts) is computed on the row and summed
per document. A word with several forms in the index (the French and English stems of a word,
synonyms) has its frequencies summed per document first (conditional aggregates), and its
saturation is applied to that sum. So there is a single GROUP BY (an earlier version grouped
twice, by (document, word) then by document: twice the sorting)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .ranking import _POSTINGS, K1, B, RankedHit, Stats, ranked_stats, ranked_vocabulary
from .vocabulary import df_of


@dataclass(frozen=True)
class _Group:
    forms: tuple[str, ...]  # the forms present in the index
    idf: float


def idf(documents: int, df: int) -> float:
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def _groups(groups: Sequence[Iterable[str]], stats: Stats, df: dict[str, int]) -> list[_Group]:
    weighted = []
    for group in groups:
        present = tuple(sorted(form for form in set(group) if form and df.get(form)))
        if present:
            weight = idf(stats.documents, max(df[form] for form in present))
            weighted.append(_Group(forms=present, idf=weight))
    return weighted


def ranked_search(
    *,
    doc_type: str,
    language: str,
    groups: Sequence[Iterable[str]],
    include_private: bool = False,
    title_boost: float = 0.0,
    keyword_boost: float = 0.0,
    limit: int = 10,
    after: tuple[float, int] | None = None,
    stats: Stats | None = None,
) -> list[RankedHit]:
    """The best ``limit`` documents for the query terms (each a group of forms), best first,
    after the (score, doc_id) of a previous page's last hit when given. ``stats``: the
    statistics the caller has just read (saves a round trip)."""
    stats = stats or ranked_stats(doc_type=doc_type, language=language)
    if not stats.documents:
        return []
    voc = ranked_vocabulary(doc_type=doc_type, language=language, stats=stats)
    weighted = _groups(groups, stats, df_of(voc, [form for group in groups for form in group]))
    if not weighted:
        return []
    sql, params = _sql(
        doc_type=doc_type,
        language=language,
        groups=weighted,
        include_private=include_private,
        constants=[
            K1 + 1,
            K1 * (1 - B),
            K1 * B / stats.average_length,
            title_boost,
            keyword_boost,
        ],
    )
    if after is not None:
        sql += " WHERE r.score < %s OR (r.score = %s AND r.doc_id > %s)"
        params += [after[0], after[0], after[1]]
    sql += " ORDER BY r.score DESC, r.doc_id LIMIT %s"
    params.append(max(1, int(limit)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [RankedHit(doc_id=int(row[0]), score=float(row[1])) for row in cursor.fetchall()]


def _sql(
    *,
    doc_type: str,
    language: str,
    groups: list[_Group],
    include_private: bool,
    constants: list[float],
) -> tuple[str, list[Any]]:
    """``SELECT r.doc_id, r.score FROM (…) r`` over the postings of ``groups``.

    ``constants``: k1 + 1, k1·(1 − b), k1·b / avglen, title boost, keyword boost."""
    single = [group for group in groups if len(group.forms) == 1]
    several = [group for group in groups if len(group.forms) > 1]
    columns: list[str] = []
    column_params: list[Any] = []
    if single:
        cases = " ".join("WHEN %s THEN %s" for _ in single)
        columns.append(
            f"SUM((CASE p.term {cases} ELSE 0 END) * ((p.tf * %s) / (p.tf + %s + %s * p.length)"
            " + %s * p.in_title + %s * p.in_keywords)) AS single"
        )
        column_params += [value for g in single for value in (g.forms[0], g.idf)]
        column_params += constants
    else:
        columns.append("0 AS single")
    outer_terms, outer_params = ["s.single"], []
    for n, group in enumerate(several):
        marks = ", ".join(["%s"] * len(group.forms))
        for name, field, aggregate in (("tf", "tf", "SUM"), ("t", "in_title", "MAX"),
                                       ("k", "in_keywords", "MAX")):  # fmt: skip
            columns.append(
                f"{aggregate}(CASE WHEN p.term IN ({marks}) THEN p.{field} ELSE 0 END) AS {name}{n}"
            )
            column_params += list(group.forms)
        outer_terms.append(
            f"%s * ((s.tf{n} * %s) / (s.tf{n} + %s + %s * s.len) + %s * s.t{n} + %s * s.k{n})"
        )
        outer_params += [group.idf, *constants]
    terms = [form for group in groups for form in group.forms]
    private = [False, True] if include_private else [False]
    # ``doc_id + 0``: grouping by the bare column tempts SQLite to walk the whole
    # (doc_type, doc_id, term) index in document order instead of seeking the query's terms.
    sql = (
        "SELECT r.doc_id, r.score FROM ("
        f"SELECT s.doc_id, ROUND(CAST({' + '.join(outer_terms)} AS NUMERIC), 6) AS score FROM ("
        f"SELECT p.doc_id + 0 AS doc_id, MAX(p.length) AS len, {', '.join(columns)} "
        f"FROM {_POSTINGS} p WHERE p.doc_type = %s AND p.language = %s "
        f"AND p.term IN ({', '.join(['%s'] * len(terms))}) "
        f"AND p.private IN ({', '.join(['%s'] * len(private))}) "
        "GROUP BY p.doc_id + 0) s) r"
    )
    params = [*outer_params, *column_params, doc_type, language, *terms, *private]
    return sql, params
