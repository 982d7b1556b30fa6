import pytest
from django.conf import settings

from comptoir.accounts.models import AgentProfile, Shop, ShopMembership, Team, User
from comptoir.accounts.seeders import DEMO_USERS, accounts_seed
from comptoir.core.seeders import demo_login_registry, ordered_seeders, seeders

pytestmark = pytest.mark.django_db


def test_seeder_runs_after_taxonomy():
    assert seeders.get("accounts").after == ("taxonomy",)
    names = [s.name for s in ordered_seeders()]
    assert names.index("taxonomy") < names.index("accounts")


def test_every_demo_login_is_registered_for_the_home_page():
    emails = {d.email for d in DEMO_USERS}
    assert emails == {
        "buyer@example.com",
        "buyer2@example.com",
        "seller@example.com",
        "seller2@example.com",
        "agent@example.com",
        "agent2@example.com",
        "officer@example.com",
        "officer2@example.com",
        "supervisor@example.com",
        "admin@example.com",
    }
    assert emails <= set(demo_login_registry.keys())


def test_seed_without_teams_then_again_with_teams_is_idempotent():
    assert accounts_seed() == {"users": 10, "shops": 2, "agent_profiles": 4}
    assert accounts_seed() == {"users": 0, "shops": 0, "agent_profiles": 0}
    users = User.objects.all()
    assert users.count() == 10
    assert all(u.email_verified and u.check_password(settings.DEMO_PASSWORD) for u in users)
    assert {u.email: u.language for u in users}["buyer2@example.com"] == "en"
    assert Shop.objects.count() == 2
    owners = set(ShopMembership.objects.values_list("user__email", "shop_role"))
    assert owners == {("seller@example.com", "owner"), ("seller2@example.com", "owner")}
    assert AgentProfile.objects.get(user__email="agent@example.com").languages == ["fr", "en"]
    disputes = Team.objects.create(code="disputes", name_fr="Litiges", name_en="Disputes")
    accounts_seed()
    assert set(disputes.members.values_list("email", flat=True)) == {
        "officer@example.com",
        "officer2@example.com",
    }


def test_staff_flags():
    accounts_seed()
    admin = User.objects.get(email="admin@example.com")
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("admin", True, True)
    agent = User.objects.get(email="agent@example.com")
    assert agent.is_staff_member and not agent.is_superuser
