"""The "accounts" demo seeder: one login per role, password ``comptoir-demo`` (PRODUCT.md §8).

Idempotent: users, shops and profiles are found by natural key (e-mail, shop slug) and created
only when missing; team and skill links are added, never removed. Teams and skills come from the
"taxonomy" seeder; when they are absent the agents are simply in no team."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.core.seeders import DemoLogin, demo_login_registry, register_seeder, seeders

from .enums import Language, Role
from .models import AgentProfile, Shop, ShopMembership, Skill, Team, User
from .services import user_create

SEEDER_NAME = "accounts"
SEEDER_VERSION = 1


@dataclass(frozen=True)
class DemoShop:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    language: str
    shop: DemoShop | None = None
    agent_languages: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    skills: tuple[str, ...] = field(default_factory=tuple)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("buyer@example.com", "Léa Dubois", Role.BUYER, Language.FR),
    DemoUser("buyer2@example.com", "Emily Carter", Role.BUYER, Language.EN),
    DemoUser(
        "seller@example.com",
        "Julien Moreau",
        Role.SELLER,
        Language.FR,
        shop=DemoShop(
            "atelier-lumiere",
            "Atelier Lumière",
            "Lampes, guirlandes et luminaires design expédiés depuis Lyon et Shenzhen.",
        ),
    ),
    DemoUser(
        "seller2@example.com",
        "Wei Chen",
        Role.SELLER,
        Language.EN,
        shop=DemoShop(
            "pearl-river-gadgets",
            "Pearl River Gadgets",
            "Phone accessories, chargers and smart-home gadgets shipped from Shenzhen.",
        ),
    ),
    DemoUser(
        "agent@example.com",
        "Camille Martin",
        Role.AGENT,
        Language.FR,
        agent_languages=("fr", "en"),
        teams=("delivery-delay", "delivery-not-received", "delivery-customs", "returns-refund"),
        skills=("delivery-delay", "delivery-not-received", "delivery-customs", "returns-refund"),
    ),
    DemoUser(
        "agent2@example.com",
        "Daniel Brooks",
        Role.AGENT,
        Language.EN,
        agent_languages=("en", "fr"),
        teams=("item-damaged", "item-wrong", "item-not-as-described", "payment-charged"),
        skills=("item-damaged", "item-wrong", "item-not-as-described", "payment-charged"),
    ),
    DemoUser(
        "officer@example.com",
        "Hélène Rousseau",
        Role.OFFICER,
        Language.FR,
        agent_languages=("fr", "en"),
        teams=("disputes",),
        skills=("returns-dispute", "returns-decision"),
    ),
    DemoUser(
        "officer2@example.com",
        "Marcus Green",
        Role.OFFICER,
        Language.EN,
        agent_languages=("en",),
        teams=("disputes",),
        skills=("returns-dispute", "returns-decision"),
    ),
    DemoUser("supervisor@example.com", "Sophie Lefèvre", Role.SUPERVISOR, Language.FR),
    DemoUser("admin@example.com", "Thomas Girard", Role.ADMIN, Language.FR),
)

_LANGUAGE_NOTE = {Language.FR: _("in French"), Language.EN: _("in English")}

for _order, _demo in enumerate(DEMO_USERS):
    demo_login_registry.register(
        _demo.email,
        DemoLogin(
            email=_demo.email,
            role_label=format_lazy(  # type: ignore[arg-type]  # lazily translated
                "{role} · {name} ({language})",
                role=Role(_demo.role).label,
                name=_demo.full_name,
                language=_LANGUAGE_NOTE[Language(_demo.language)],
            ),
            order=_order,
        ),
    )


def accounts_seed() -> dict[str, int]:
    """Create what is missing; returns how many users, shops and agent profiles were created."""
    created = {"users": 0, "shops": 0, "agent_profiles": 0}
    password = getattr(settings, "DEMO_PASSWORD", "comptoir-demo")
    for demo in DEMO_USERS:
        user = User.objects.filter(email__iexact=demo.email).first()
        if user is None:
            user = user_create(
                email=demo.email,
                password=password,
                full_name=demo.full_name,
                role=demo.role,
                language=demo.language,
                email_verified=True,
            )
            created["users"] += 1
        if demo.shop is not None:
            shop = Shop.objects.filter(slug=demo.shop.slug).first()
            if shop is None:
                shop = Shop.objects.create(
                    slug=demo.shop.slug, name=demo.shop.name, description=demo.shop.description
                )
                created["shops"] += 1
            ShopMembership.objects.get_or_create(
                shop=shop, user=user, defaults={"shop_role": ShopMembership.ShopRole.OWNER}
            )
        if demo.agent_languages:
            profile, made = AgentProfile.objects.get_or_create(
                user=user, defaults={"languages": list(demo.agent_languages)}
            )
            created["agent_profiles"] += int(made)
            profile.skills.add(*Skill.objects.filter(code__in=demo.skills))
        if demo.teams:
            for team in Team.objects.filter(code__in=demo.teams):
                team.members.add(user)
    return created


def _after() -> tuple[str, ...]:
    """After the taxonomy seeder (it creates the teams), when that seeder exists. Apps' ``ready``
    run in INSTALLED_APPS order, so it may not be registered yet when this module is imported."""
    if "taxonomy" in seeders:
        return ("taxonomy",)
    if apps.is_installed("comptoir.taxonomy") and find_spec("comptoir.taxonomy.seeders"):
        return ("taxonomy",)
    return ()


@register_seeder(SEEDER_NAME, version=SEEDER_VERSION, after=_after())
def seed_accounts() -> None:
    accounts_seed()
