"""Opaque public identifiers (never database ids in URLs or the API) and random tokens."""

from __future__ import annotations

import base64
import secrets


def new_public_id() -> str:
    """26 characters of Crockford-like base32 from 128 random bits."""
    raw = secrets.token_bytes(16)
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token; 32 bytes = 256 bits."""
    return secrets.token_urlsafe(nbytes)
