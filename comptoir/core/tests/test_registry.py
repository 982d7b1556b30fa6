import pytest

from comptoir.core.registry import Registry


def test_register_get_and_listing_is_sorted():
    registry: Registry[int] = Registry("numbers")
    assert registry.register("b", 2) == 2
    registry.register("a", 1)
    assert registry.get("a") == 1
    assert "a" in registry
    assert "z" not in registry
    assert registry.keys() == ["a", "b"]
    assert list(registry.items()) == [("a", 1), ("b", 2)]
    assert len(registry) == 2


def test_duplicate_key_is_an_error_unless_replace():
    registry: Registry[object] = Registry("things")
    first, second = object(), object()
    registry.register("x", first)
    registry.register("x", first)  # the same entry again (a module imported twice) is fine
    with pytest.raises(KeyError, match="things: 'x' is already registered"):
        registry.register("x", second)
    registry.register("x", second, replace=True)
    assert registry.get("x") is second


def test_missing_key_names_the_registry():
    with pytest.raises(KeyError, match="nothing registered under 'nope'"):
        Registry("empty").get("nope")


def test_decorator_and_unregister():
    registry: Registry[object] = Registry("fns")

    @registry.decorator("hello")
    def hello() -> str:
        return "hi"

    assert registry.get("hello") is hello
    assert hello() == "hi"
    registry.unregister("hello")
    registry.unregister("hello")  # no error
    assert "hello" not in registry
