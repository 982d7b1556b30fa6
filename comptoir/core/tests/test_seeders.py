import pytest
from django.core.management import call_command

from comptoir.core import seeders as seeders_module
from comptoir.core.models import SeederRun
from comptoir.core.registry import Registry
from comptoir.core.seeders import (
    DemoLogin,
    apply_seeders,
    demo_loaded,
    demo_logins,
    ordered_seeders,
    register_seeder,
)


@pytest.fixture
def registry(monkeypatch):
    fresh = Registry("seeders (test)")
    monkeypatch.setattr(seeders_module, "seeders", fresh)
    return fresh


@pytest.fixture
def calls(registry):
    ran: list[str] = []

    def make(name, version=1, after=()):
        register_seeder(name, version=version, after=after)(lambda: ran.append(name))

    make("c", after=("b",))
    make("b", after=("a",))
    make("a")
    make("d")
    return ran, make


def test_order_follows_dependencies_then_names(calls):
    assert [s.name for s in ordered_seeders()] == ["a", "d", "b", "c"]


def test_unknown_or_cyclic_dependencies_raise(registry):
    register_seeder("x", version=1, after=("missing",))(lambda: None)
    with pytest.raises(RuntimeError, match="missing"):
        ordered_seeders()
    registry.unregister("x")
    register_seeder("p", version=1, after=("q",))(lambda: None)
    register_seeder("q", version=1, after=("p",))(lambda: None)
    with pytest.raises(RuntimeError):
        ordered_seeders()


def test_apply_is_idempotent_and_records_versions(db, calls):
    ran, _make = calls
    assert apply_seeders() == ["a", "d", "b", "c"]
    assert ran == ["a", "d", "b", "c"]
    assert dict(SeederRun.objects.values_list("name", "version")) == {
        "a": 1,
        "b": 1,
        "c": 1,
        "d": 1,
    }
    assert apply_seeders() == []
    assert ran == ["a", "d", "b", "c"]


def test_version_bump_reruns_only_that_seeder(db, calls, registry):
    ran, make = calls
    apply_seeders()
    ran.clear()
    registry.unregister("b")
    make("b", version=2, after=("a",))
    assert apply_seeders() == ["b"]
    assert ran == ["b"]
    assert SeederRun.objects.get(name="b").version == 2


def test_force_reruns_everything(db, calls):
    ran, _make = calls
    apply_seeders()
    ran.clear()
    assert apply_seeders(force=True) == ["a", "d", "b", "c"]


def test_failing_seeder_records_nothing_for_itself(db, registry):
    register_seeder("ok", version=1)(lambda: None)

    def broken() -> None:
        SeederRun.objects.create(name="half-written", version=1)
        raise RuntimeError("boom")

    register_seeder("zz-broken", version=1, after=("ok",))(broken)
    with pytest.raises(RuntimeError):
        apply_seeders()
    assert list(SeederRun.objects.values_list("name", flat=True)) == ["ok"]


def test_seed_demo_command(db, calls, capsys):
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue() == "seeders applied: a, d, b, c\n"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue() == "seeders applied: none (up to date)\n"


def test_demo_logins_only_when_demo_data_is_loaded(db, monkeypatch):
    logins = Registry("demo logins (test)")
    monkeypatch.setattr(seeders_module, "demo_login_registry", logins)
    logins.register("b", DemoLogin(email="b@example.com", role_label="B", order=2))
    logins.register("a", DemoLogin(email="a@example.com", role_label="A", order=1))
    assert demo_loaded() is False
    assert demo_logins() == []
    SeederRun.objects.create(name="x", version=1)
    assert demo_loaded() is True
    assert [login.email for login in demo_logins()] == ["a@example.com", "b@example.com"]
