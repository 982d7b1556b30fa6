"""Plug-in registries: a later app plugs into an earlier one without an upward import.

Each registry is a module-level ``Registry`` in the app that *reads* it; apps that provide
entries register them in their ``AppConfig.ready``. Keys are unique: registering a key twice
is a programming error, unless ``replace=True`` is asked for explicitly (the understanding
engine replaces the keyword node predictor, for example)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, key: str, entry: T, *, replace: bool = False) -> T:
        if key in self._entries and not replace and self._entries[key] is not entry:
            raise KeyError(f"{self.name}: {key!r} is already registered.")
        self._entries[key] = entry
        return entry

    def decorator(self, key: str, *, replace: bool = False) -> Callable[[T], T]:
        def wrap(entry: T) -> T:
            return self.register(key, entry, replace=replace)

        return wrap

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def get(self, key: str) -> T:
        try:
            return self._entries[key]
        except KeyError as exc:
            raise KeyError(f"{self.name}: nothing registered under {key!r}.") from exc

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def items(self) -> Iterator[tuple[str, T]]:
        yield from sorted(self._entries.items())

    def __len__(self) -> int:
        return len(self._entries)
