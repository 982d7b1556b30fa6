"""Ranked search (BM25 in SQL): exact scores, statistics kept in step with re-indexing,
private documents, keyset pages, prefixes and typo correction. Runs on both databases."""

from __future__ import annotations

import math

import pytest

from comptoir.core.search.models import SearchPosting, SearchStats, SearchTerm
from comptoir.core.search.ranking import (
    K1,
    RankedDocument,
    idf,
    ranked_correct,
    ranked_cursor,
    ranked_cursor_read,
    ranked_index,
    ranked_index_many,
    ranked_prefix,
    ranked_remove,
    ranked_search,
    ranked_stats,
    similarity,
)

T = "rank_test"


def _doc(doc_id: int, title: str, body: str, *, keywords: str = "", private: bool = False):
    return RankedDocument(
        doc_id=doc_id, language="en", title=title, keywords=keywords, body=body, private=private
    )


def _ids(*words: str, **kwargs) -> list[int]:
    groups = [{word} for word in words]
    return [hit.doc_id for hit in ranked_search(doc_type=T, language="en", groups=groups, **kwargs)]


@pytest.fixture
def corpus(db):
    ranked_index(doc_type=T, document=_doc(1, "Refunds", "refund refund by card"))
    ranked_index(doc_type=T, document=_doc(2, "Parcel lost", "the parcel was lost, ask a refund"))
    ranked_index(doc_type=T, document=_doc(3, "Customs", "customs duties on a parcel"))
    ranked_index(doc_type=T, document=_doc(4, "Staff notes", "refund escalation", private=True))


def test_bm25_score_is_exact(corpus):
    stats = ranked_stats(doc_type=T, language="en")
    lengths = {
        doc_id: SearchPosting.objects.filter(doc_type=T, doc_id=doc_id).first().length
        for doc_id in (1, 2, 3, 4)
    }
    assert stats.documents == 4
    assert stats.average_length == pytest.approx(sum(lengths.values()) / 4)
    hits = ranked_search(doc_type=T, language="en", groups=[{"custom"}])
    assert [h.doc_id for h in hits] == [3]
    tf, length = 2.0, lengths[3]  # "customs" in the title and in the body
    expected = idf(4, 1) * (
        tf * (K1 + 1) / (tf + K1 * (1 - 0.75 + 0.75 * length / stats.average_length))
    )
    assert hits[0].score == pytest.approx(round(expected, 6), abs=1e-6)
    assert idf(4, 1) == pytest.approx(math.log(1 + 3.5 / 1.5))


def test_title_boost_and_private_documents(corpus):
    assert _ids("refund") == [1, 2]
    assert _ids("refund", include_private=True) == [1, 4, 2]
    # The title boost adds idf × boost to the documents whose title has the word, only.
    plain = {
        h.doc_id: h.score for h in ranked_search(doc_type=T, language="en", groups=[{"parcel"}])
    }
    boosted = {
        h.doc_id: h.score
        for h in ranked_search(doc_type=T, language="en", groups=[{"parcel"}], title_boost=2.0)
    }
    assert boosted[3] == plain[3]
    assert boosted[2] - plain[2] == pytest.approx(2.0 * idf(4, 2), abs=2e-6)
    assert _ids("umbrella") == []
    assert ranked_search(doc_type=T, language="fr", groups=[{"refund"}]) == []


def test_statistics_follow_reindex_and_removal(corpus):
    assert SearchTerm.objects.get(doc_type=T, language="en", term="refund").df == 3
    ranked_index(doc_type=T, document=_doc(1, "Payments", "card payment failed"))
    assert SearchTerm.objects.get(doc_type=T, language="en", term="refund").df == 2
    assert _ids("refund") == [2]
    ranked_remove(doc_type=T, doc_id=2)
    ranked_remove(doc_type=T, doc_id=2)  # idempotent
    assert _ids("refund") == []
    assert SearchTerm.objects.get(doc_type=T, language="en", term="refund").df == 1  # private doc
    assert not SearchTerm.objects.filter(doc_type=T, term="lost").exists()
    stats = SearchStats.objects.get(doc_type=T, language="en")
    assert stats.documents == 3
    lengths = set(SearchPosting.objects.filter(doc_type=T).values_list("doc_id", "length"))
    assert sorted(doc_id for doc_id, _length in lengths) == [1, 3, 4]
    assert stats.total_length == pytest.approx(sum(length for _doc_id, length in lengths))


def test_bulk_indexing_gives_the_same_statistics(db):
    documents = [
        _doc(i, f"Title {i}", f"parcel number {i} refund" * (i % 3 + 1)) for i in range(30)
    ]
    for document in documents[:10]:
        ranked_index(doc_type=T, document=document)
    ranked_index_many(doc_type=T, documents=documents[10:])
    bulk = ranked_stats(doc_type=T, language="en")
    terms = dict(SearchTerm.objects.filter(doc_type=T).values_list("term", "df"))
    SearchPosting.objects.filter(doc_type=T).delete()
    SearchTerm.objects.filter(doc_type=T).delete()
    SearchStats.objects.filter(doc_type=T).delete()
    for document in documents:
        ranked_index(doc_type=T, document=document)
    one_by_one = ranked_stats(doc_type=T, language="en")
    assert (bulk.documents, bulk.average_length) == (30, pytest.approx(one_by_one.average_length))
    assert terms == dict(SearchTerm.objects.filter(doc_type=T).values_list("term", "df"))


def test_keyset_pages_cover_every_hit_once(db):
    for i in range(1, 8):
        ranked_index(doc_type=T, document=_doc(i, f"Note {i}", "refund " * (i % 3 + 1)))
    seen: list[int] = []
    after = None
    while True:
        page = ranked_search(doc_type=T, language="en", groups=[{"refund"}], limit=3, after=after)
        seen += [hit.doc_id for hit in page]
        if len(page) < 3:
            break
        cursor = ranked_cursor(scope="q", hit=page[-1])
        after = ranked_cursor_read(scope="q", cursor=cursor)
        assert ranked_cursor_read(scope="other query", cursor=cursor) is None
    assert seen == _ids("refund", limit=50)
    assert sorted(seen) == list(range(1, 8))
    assert ranked_cursor_read(scope="q", cursor="forged") is None


def test_prefix_and_typo_correction(corpus):
    assert ranked_prefix(doc_type=T, language="en", prefix="ref") == ["refund"]
    assert ranked_prefix(doc_type=T, language="en", prefix="zzz") == []
    assert ranked_correct(doc_type=T, language="en", word="refnd") == "refund"
    assert ranked_correct(doc_type=T, language="en", word="custms") == "custom"
    assert ranked_correct(doc_type=T, language="en", word="xylophone") is None
    assert similarity("refnd", "refund") == pytest.approx(4 / 9)
