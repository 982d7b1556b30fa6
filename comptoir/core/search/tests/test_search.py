from __future__ import annotations

import pytest

from comptoir.core.search import (
    DocType,
    normalise,
    query_terms,
    search_doc_types,
    search_filter,
    search_ids,
    search_index,
    search_remove,
)
from comptoir.core.search.models import SearchDocument


def test_normaliser_folds_accents_and_stems_per_language():
    assert normalise("Colis ENDOMMAGÉS", language="fr") == normalise(
        "colis endommagé", language="fr"
    )
    assert normalise("remboursement", language="fr") == normalise("rembourser", language="fr")
    assert normalise("refunds refunded", language="en") == "refund refund"
    assert normalise("T-100042 8012-3456", language="fr") == "t 100042 8012 3456"


def test_query_terms_try_every_language():
    assert set(query_terms("Remboursé")[0]) >= {"rembours", "rembourse"}


@pytest.fixture
def doc_type():
    search_doc_types.register("test", DocType(name="test"), replace=True)
    yield "test"
    search_doc_types.unregister("test")


def _index(doc_type):
    search_index(
        doc_type=doc_type, doc_id=1, text="Mes colis endommagés sont arrivés", language="fr"
    )
    search_index(doc_type=doc_type, doc_id=2, text="Je voudrais être remboursé", language="fr")
    search_index(doc_type=doc_type, doc_id=3, text="My parcel arrived damaged", language="en")


def _check(doc_type):
    assert search_ids(doc_type=doc_type, query="colis endommagé") == [1]
    assert search_ids(doc_type=doc_type, query="remboursement") == [2]
    assert search_ids(doc_type=doc_type, query="damage") == [3]
    assert search_ids(doc_type=doc_type, query="parapluie") == []
    assert search_ids(doc_type=doc_type, query="  ") == []
    assert search_ids(doc_type=doc_type, query="rembou") == [2]  # prefix of the last word
    assert search_ids(doc_type=doc_type, query='" OR * NEAR(') == []  # syntax cannot be injected
    qs = SearchDocument.objects.all()
    assert list(
        search_filter(qs, doc_type=doc_type, query="arrivés", field="doc_id")
        .order_by("doc_id")
        .values_list("doc_id", flat=True)
    ) == [1, 3]
    search_index(doc_type=doc_type, doc_id=1, text="autre chose", language="fr")
    assert search_ids(doc_type=doc_type, query="colis") == []
    search_remove(doc_type=doc_type, doc_id=2)
    assert search_ids(doc_type=doc_type, query="remboursement") == []


@pytest.mark.django_db
def test_search_on_the_current_database(doc_type):
    _index(doc_type)
    _check(doc_type)


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_on_postgresql(doc_type):
    from django.db import connection

    assert connection.vendor == "postgresql"
    _index(doc_type)
    _check(doc_type)


@pytest.mark.django_db
def test_unknown_doc_type_is_a_programming_error():
    with pytest.raises(KeyError):
        search_ids(doc_type="nope", query="x")


def test_synonyms_are_per_language_and_symmetric():
    from comptoir.core.search.normaliser import synonyms

    assert synonyms("paquets", "fr") == ("colis",)
    assert synonyms("Colis", "fr") == ("paquet",)
    assert synonyms("packages", "en") == ("parcel",)
    assert set(synonyms("vendor", "en")) == {"seller", "merchant"}
    assert synonyms("paquet", "en") == ()
    assert synonyms("remboursement", "fr") == ()
