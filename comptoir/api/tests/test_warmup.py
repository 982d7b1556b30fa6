from __future__ import annotations

import comptoir.core.language as language
from comptoir.api.warmup import warm_up, warm_up_in_background


def test_warm_up_builds_the_language_detector_before_any_request(monkeypatch):
    monkeypatch.setattr(language, "_detector", None)
    warm_up()
    assert language._detector is not None


def test_warm_up_runs_in_a_daemon_thread(monkeypatch):
    monkeypatch.setattr(language, "_detector", None)
    thread = warm_up_in_background()
    assert thread.daemon and thread.name == "comptoir-warm-up"
    thread.join(timeout=120)
    assert language._detector is not None
