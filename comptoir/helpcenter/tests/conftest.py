from __future__ import annotations

from typing import Any

import pytest

from comptoir.helpcenter.seeders import helpcenter_seed
from comptoir.taxonomy.seeders import taxonomy_seed


@pytest.fixture
def help_content(db: Any) -> int:
    """The taxonomy and every shipped article (FR and EN), published."""
    taxonomy_seed()
    return helpcenter_seed()
