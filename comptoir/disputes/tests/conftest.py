from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from PIL import Image

from comptoir.accounts.enums import Role
from comptoir.core.uploads.models import UploadKind
from comptoir.core.uploads.services import upload_create
from comptoir.ledger.providers import reset_provider
from comptoir.ledger.tests.conftest import T0, Sandbox, deliver, line_ids, make_order
from comptoir.testing.factories import UserFactory, seller_with_shop

__all__ = ["T0", "DAY", "deliver", "line_ids", "make_order", "photo_of"]

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clean_cache(db):
    cache.clear()


@pytest.fixture(autouse=True)
def sandbox(settings):
    from comptoir.ledger.tests.conftest import WHSEC

    settings.PAYMENT_PROVIDER_WEBHOOK_SECRET = WHSEC
    box = Sandbox()
    reset_provider(box.provider)
    yield box
    reset_provider(None)
    box.server.stop()


@pytest.fixture
def buyer(db):
    return UserFactory(email="lea@example.org", full_name="Léa Dubois")


@pytest.fixture
def seller_shop(db):
    return seller_with_shop(email="julien@example.org")


@pytest.fixture
def seller(seller_shop):
    return seller_shop[0]


@pytest.fixture
def shop(seller_shop):
    return seller_shop[1]


@pytest.fixture
def officer(db):
    return UserFactory(email="officer@example.org", role=Role.OFFICER)


@pytest.fixture
def officer2(db):
    return UserFactory(email="officer2@example.org", role=Role.OFFICER)


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.org")


def photo_of(user):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return upload_create(
        owner=user, file=("broken.png", buf.getvalue()), allowed_kinds={UploadKind.IMAGE}
    )
