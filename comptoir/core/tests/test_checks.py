from django.apps import apps
from django.db import models

from comptoir.core.checks import no_auto_now


def test_project_models_pass_the_auto_now_check():
    assert no_auto_now() == []


def test_auto_now_field_is_reported(monkeypatch):
    class Fake(models.Model):  # noqa: DJ008
        stamp = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "core"
            managed = False

    try:
        errors = no_auto_now()
        assert [e.id for e in errors] == ["comptoir.E001"]
        assert "core.Fake.stamp" in errors[0].msg
    finally:
        del apps.all_models["core"]["fake"]
        apps.clear_cache()
