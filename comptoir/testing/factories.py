"""factory_boy factories that go through the real services (no hand-made rows)."""

from __future__ import annotations

from typing import Any

import factory

from comptoir.accounts.enums import Language, Role
from comptoir.accounts.models import AgentProfile, Shop, ShopMembership, Team, TotpDevice, User
from comptoir.accounts.services import user_create

DEFAULT_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(role=Role.AGENT, email_verified=False, password="…")``; verified by default."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="fr_FR")
    role = Role.BUYER
    language = Language.FR
    email_verified = True
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return user_create(**kwargs)


class StaffFactory(UserFactory):
    role = Role.AGENT


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    slug = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.Sequence(lambda n: f"Boutique {n}")


def seller_with_shop(**kwargs: Any) -> tuple[User, Shop]:
    user: User = UserFactory(role=Role.SELLER, **kwargs)  # type: ignore[assignment]
    shop: Shop = ShopFactory()  # type: ignore[assignment]
    ShopMembership.objects.create(shop=shop, user=user, shop_role=ShopMembership.ShopRole.OWNER)
    return user, shop


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Équipe {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Team {o.code}")


def agent_with_profile(*, languages: list[str] | None = None, **kwargs: Any) -> User:
    user: User = StaffFactory(**kwargs)  # type: ignore[assignment]
    AgentProfile.objects.create(user=user, languages=languages or ["fr", "en"])
    return user


def totp_device_for(user: User, secret: str | None = None) -> tuple[TotpDevice, str]:
    """An active TOTP device (the confirmed state the set-up page leads to); returns its secret."""
    from comptoir.accounts.services import totp_new_secret
    from comptoir.core import clock

    secret = secret or totp_new_secret()
    device = TotpDevice.objects.create(user=user, secret=secret, confirmed_at=clock.now())
    return device, secret


def totp_code(secret: str, *, offset_steps: int = 0) -> str:
    """The current code for ``secret`` on the project clock (``offset_steps`` moves it)."""
    import pyotp

    from comptoir.core import clock

    step = int(clock.now().timestamp()) // 30 + offset_steps
    return str(pyotp.TOTP(secret).generate_otp(step))
