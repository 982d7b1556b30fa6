from __future__ import annotations

import pytest

from comptoir.accounts.enums import Role
from comptoir.accounts.services import user_create
from comptoir.taxonomy.seeders import taxonomy_seed


@pytest.fixture
def taxonomy(db):
    """The seeded tree of PRODUCT.md §5, with its teams and skills."""
    return taxonomy_seed()


@pytest.fixture
def supervisor(db):
    return user_create(
        email="supervisor.taxonomy@example.com",
        password=None,
        full_name="Sam Supervisor",
        role=Role.SUPERVISOR,
    )
