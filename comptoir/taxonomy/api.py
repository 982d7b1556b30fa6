"""Taxonomy API: the contact tree, read by the help center, forms and clients."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

router = Router(tags=["help"])


@router.get("/taxonomy", auth=None)
def taxonomy(request: HttpRequest) -> dict[str, list[object]]:
    return {"items": []}
