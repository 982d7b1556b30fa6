import threading

import pytest

from comptoir.core import language
from comptoir.core.language import DetectedLanguage, detect_language


@pytest.mark.parametrize(
    "text",
    [
        "bonjour jai pas recu mon colis",
        "Bonjour, je n'ai toujours pas reçu ma commande 8012-3456-7890-1230.",
        "ou est mon colis",
        "colis pas arrive",
        "je veux un refund please",  # franglais: French grammar, English loanwords
        "mon order est late",
        "merci",
        "SVP",
    ],
)
def test_french(text):
    result = detect_language(text)
    assert result.code == "fr"
    assert result.name == "French"
    assert result.supported is True
    assert 0.5 <= result.confidence <= 1


@pytest.mark.parametrize(
    "text",
    [
        "hello my parcel never arrived",
        "Where is my package?",
        "Bonjour, I have a problem with my order",  # greeting borrowed, English sentence
        "Hi, any update?",
        "thanks",
    ],
)
def test_english(text):
    result = detect_language(text)
    assert (result.code, result.name, result.supported) == ("en", "English", True)
    assert result.confidence >= 0.5


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("Mi pedido no ha llegado todavía", "es", "Spanish"),
        ("hola no he recibido mi pedido", "es", "Spanish"),
        ("Ich warte seit drei Wochen auf meine Bestellung", "de", "German"),
        ("hallo ich habe mein paket nicht bekommen", "de", "German"),
        ("ciao non ho ricevuto il mio pacco", "it", "Italian"),
        ("olá não recebi o meu pedido", "pt", "Portuguese"),
        ("我没有收到包裹", "zh", "Chinese"),
        ("Я не получил посылку", "ru", "Russian"),
    ],
)
def test_other_languages_are_detected_and_not_supported(text, code, name):
    result = detect_language(text, hint="fr")
    assert (result.code, result.name, result.supported) == (code, name, False)
    assert result.confidence >= 0.5


@pytest.mark.parametrize("text", ["", "   ", "👍🙏", "123456", "!!!"])
def test_empty_or_no_letters_gives_the_hint_with_zero_confidence(text):
    assert detect_language(text) == DetectedLanguage(code="en", name="English", confidence=0.0)
    assert detect_language(text, hint="fr") == DetectedLanguage(
        code="fr", name="French", confidence=0.0
    )


def test_hint_breaks_ties_on_very_short_texts():
    assert detect_language("ok", hint="fr").code == "fr"
    assert detect_language("ok", hint="en").code == "en"
    assert detect_language("ok ok", hint="fr").code == "fr"
    assert detect_language("ok", hint="fr").confidence <= 0.5


def test_short_text_with_a_clear_cue_ignores_the_hint():
    assert detect_language("merci", hint="en").code == "fr"
    assert detect_language("thanks", hint="fr").code == "en"


def test_without_hint_short_unclear_text_falls_back_to_fr_or_en():
    result = detect_language("ok")
    assert result.code in {"fr", "en"}
    assert result.confidence < 0.5


def test_detector_is_built_once_even_with_threads(monkeypatch):
    monkeypatch.setattr(language, "_detector", None)
    built = []
    original = (
        language.LanguageDetectorBuilder if hasattr(language, "LanguageDetectorBuilder") else None
    )
    assert original is None  # lingua is imported lazily, inside the builder
    import lingua

    real_build = lingua.LanguageDetectorBuilder.from_languages

    def counting(*languages):
        built.append(len(languages))
        return real_build(*languages)

    monkeypatch.setattr(lingua.LanguageDetectorBuilder, "from_languages", staticmethod(counting))
    detectors = []
    threads = [
        threading.Thread(target=lambda: detectors.append(language._get_detector()))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [13]
    assert len({id(d) for d in detectors}) == 1
