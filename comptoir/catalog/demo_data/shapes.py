"""Shapes of the demo catalogue's tuples."""

from __future__ import annotations

A = tuple[str, str, str]
P = tuple[str, str, str, str, str, str, str, tuple[A, ...], str, str]
