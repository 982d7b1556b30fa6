from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_nlu_train_loads_the_cached_engine_the_second_time():
    call_command("nlu_train", stdout=StringIO())
    out = StringIO()
    call_command("nlu_train", stdout=out)
    assert out.getvalue().startswith("loaded from cache in ")
    assert "intents=31" in out.getvalue()
