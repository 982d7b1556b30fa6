from comptoir.assistant.nlu.text import fold, normalise_for_model


def test_fold_keeps_length_so_spans_match():
    text = "Élodie a reçu l’article à Noël"
    assert fold(text) == "elodie a recu l'article a noel"
    assert len(fold(text)) == len(text)


def test_entities_become_placeholder_words():
    a = normalise_for_model("Commande 8012-3456-7890-1230 : remboursé 12,50 € ?")
    b = normalise_for_model("commande 4539148803436467 : rembourse 30 euros ?")
    assert a == b == "commande zorder : rembourse zamount ?"
    assert "zemail" in normalise_for_model("write to me at a.b@example.com")
    assert "ztrack" in normalise_for_model("tracking LP123456789CN")
