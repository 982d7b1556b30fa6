"""The "tickets" demo seeder: the Paris business calendar with French public holidays, the SLA
policies of PRODUCT.md §4, macros in FR and EN, agents online, and demo tickets for every team,
status and SLA state, in FR and EN, some linked to orders. Idempotent: rows by natural key,
tickets by their demo channel message id (intake never receives the same one twice)."""

from __future__ import annotations

import datetime as dt

from comptoir.accounts.enums import Role
from comptoir.accounts.models import Team, User
from comptoir.core import clock
from comptoir.core.seeders import register_seeder
from comptoir.orders.models import Order
from comptoir.taxonomy.models import Node

from .calendar import french_public_holidays
from .enums import Channel, Presence
from .models import AgentPresence, BusinessCalendar, Holiday, Macro, SlaPolicy
from .services import InboundMessage, intake_receive, ticket_change_status, ticket_reply

SEEDER_VERSION = 1
HOUR = 60
BUSINESS_DAY = 9 * HOUR
# (team code or None, channel, first response, next response, resolution) in business minutes.
SLA_DEFAULTS: tuple[tuple[str | None, str, int, int, int], ...] = (
    (None, "", 8 * HOUR, 8 * HOUR, 5 * BUSINESS_DAY),  # written channels: 8 business hours
    (None, Channel.CHAT, 2 * HOUR, 2 * HOUR, 3 * BUSINESS_DAY),  # after a chat handoff
    (None, Channel.POST, 5 * BUSINESS_DAY, 5 * BUSINESS_DAY, 10 * BUSINESS_DAY),  # letters
    ("disputes", "", 8 * HOUR, 8 * HOUR, 2 * BUSINESS_DAY),  # arbitration: 2 business days
)
RESTRICTED_NODES = ("account.security", "technical.report")

MACROS = (
    (
        "parcel-tracking",
        "Suivi du colis",
        "Parcel tracking",
        "Bonjour {{ customer_name }},\n\nVotre commande {{ order_number }} est en route. Vous "
        "pouvez suivre le colis ici : {{ tracking_link }}\nVotre protection acheteur court "
        "jusqu'au {{ protection_end_date }}.\n\nBien cordialement,\nLe service client",
        "Hello {{ customer_name }},\n\nYour order {{ order_number }} is on its way. You can "
        "track the parcel here: {{ tracking_link }}\nYour buyer protection runs until "
        "{{ protection_end_date }}.\n\nKind regards,\nCustomer service",
    ),
    (
        "need-photos",
        "Demande de photos",
        "Ask for photos",
        "Bonjour {{ customer_name }},\n\nPour traiter votre demande {{ ticket_number }}, "
        "pourriez-vous nous envoyer une photo de l'article et de l'emballage ?\n\nMerci,\n"
        "Le service client",
        "Hello {{ customer_name }},\n\nTo handle your request {{ ticket_number }}, could you "
        "send us a photo of the item and its packaging?\n\nThank you,\nCustomer service",
    ),
    (
        "dispute-deadline",
        "Délai du litige",
        "Dispute deadline",
        "Bonjour {{ customer_name }},\n\nLe vendeur doit répondre à votre litige avant le "
        "{{ dispute_deadline }}. Sans réponse, votre demande sera acceptée.\n\nLe service client",
        "Hello {{ customer_name }},\n\nThe seller must answer your dispute by "
        "{{ dispute_deadline }}. Without an answer, your request is accepted.\n\n"
        "Customer service",
    ),
)

FR_TEXTS = {
    "delivery": "Bonjour, mon colis n'avance plus depuis dix jours, le suivi n'est pas mis à jour.",
    "item": "Bonjour, j'ai reçu l'article mais il est abîmé, l'emballage était écrasé.",
    "returns": "Bonjour, je n'ai toujours pas reçu mon remboursement, pouvez-vous vérifier ?",
    "payment": "Bonjour, j'ai été débité deux fois pour la même commande.",
    "account": "Bonjour, je n'arrive plus à me connecter à mon compte, le code n'arrive pas.",
    "technical": "Bonjour, le bouton pour confirmer la réception ne fonctionne pas sur l'appli.",
}
EN_TEXTS = {
    "delivery": "Hello, my parcel has not moved for ten days and the tracking is not updated.",
    "item": "Hello, the item arrived damaged, the box was crushed.",
    "returns": "Hello, I still have not received my refund, could you check?",
    "payment": "Hello, I was charged twice for the same order.",
    "account": "Hello, I cannot log in to my account, the code never arrives.",
    "technical": "Hello, the button to confirm receipt does not work in the app.",
}
# status scenario per ticket index (cycled): what agents did after intake.
SCENARIOS = ("new", "open", "pending", "solved", "closed", "breached", "warning")


def _calendar() -> BusinessCalendar:
    calendar, _created = BusinessCalendar.objects.get_or_create(
        code="paris", defaults={"name": "Paris (lun.–ven. 9 h–18 h)", "timezone": "Europe/Paris"}
    )
    year = clock.now().year
    for y in range(year - 1, year + 3):
        for day, name in french_public_holidays(y):
            Holiday.objects.get_or_create(calendar=calendar, date=day, defaults={"name": name})
    return calendar


def _policies(calendar: BusinessCalendar) -> None:
    for team_code, channel, first, nxt, resolution in SLA_DEFAULTS:
        team = Team.objects.filter(code=team_code).first() if team_code else None
        if team_code and team is None:
            continue
        SlaPolicy.objects.get_or_create(
            team=team,
            channel=channel,
            defaults={
                "calendar": calendar,
                "first_response_minutes": first,
                "next_response_minutes": nxt,
                "resolution_minutes": resolution,
            },
        )


def _macros() -> None:
    for code, title_fr, title_en, body_fr, body_en in MACROS:
        Macro.objects.get_or_create(
            code=code,
            defaults={
                "title_fr": title_fr,
                "title_en": title_en,
                "body_fr": body_fr,
                "body_en": body_en,
            },
        )


def _restricted_nodes() -> None:
    from comptoir.taxonomy.services import node_update

    for node in Node.objects.filter(code__in=RESTRICTED_NODES, restricted=False):
        node_update(node=node, actor=None, restricted=True)


def _presence() -> None:
    for user in User.objects.filter(role__in=[Role.AGENT, Role.OFFICER], is_active=True):
        AgentPresence.objects.get_or_create(user=user, defaults={"status": Presence.ONLINE})


def _demo_tickets() -> None:
    buyers = [
        u
        for u in (
            User.objects.filter(email=e).first()
            for e in ("buyer@example.com", "buyer2@example.com")
        )
        if u
    ]
    staff = User.objects.filter(role=Role.SUPERVISOR).first()
    if not buyers or staff is None:
        return
    now = clock.now()
    nodes = list(Node.objects.filter(level=2, retired_at__isnull=True).select_related("parent"))
    for index, node in enumerate(sorted(nodes, key=lambda n: n.code)):
        buyer = buyers[index % len(buyers)]
        language = buyer.language
        category = node.code.split(".")[0]
        text = (FR_TEXTS if language == "fr" else EN_TEXTS)[category]
        order = (
            Order.objects.filter(buyer=buyer).order_by("created_at").first()
            if index % 3 == 0
            else None
        )
        scenario = SCENARIOS[index % len(SCENARIOS)]
        days_ago = {"breached": 4, "warning": 0, "closed": 8}.get(scenario, 1)
        received = now - dt.timedelta(days=days_ago, hours=index % 5)
        if scenario == "warning":
            received = now - dt.timedelta(hours=7, minutes=30)
        result = intake_receive(
            inbound=InboundMessage(
                channel=Channel.WEB if index % 2 == 0 else Channel.API,
                channel_message_id=f"demo:tickets:{node.code}",
                text=text,
                subject=node.label(language),
                sender_user=buyer,
                node_code=node.code,
                order_number=order.number if order else None,
                received_at=received,
            )
        )
        if not result.created:
            continue
        ticket = result.ticket
        reply = (
            "Bonjour, merci pour votre message. Nous vérifions et revenons vers vous."
            if language == "fr"
            else "Hello, thank you for your message. We are checking and will come back to you."
        )
        if scenario in ("open", "pending", "solved", "closed"):
            with clock.frozen_at(received + dt.timedelta(hours=2)):
                ticket_reply(
                    user=staff,
                    ticket=ticket,
                    text=reply,
                    then={"pending": "pend", "solved": "solve", "closed": "solve"}.get(scenario),
                )
        if scenario == "closed":
            with clock.frozen_at(received + dt.timedelta(days=5)):
                ticket_change_status(user=staff, ticket=ticket, action="close")
    from .sweeps import sweep_sla

    sweep_sla(now)


def tickets_seed() -> None:
    calendar = _calendar()
    _policies(calendar)
    _macros()
    _restricted_nodes()
    _presence()
    _demo_tickets()


@register_seeder("tickets", version=SEEDER_VERSION, after=("accounts", "taxonomy", "orders"))
def seed_tickets() -> None:
    tickets_seed()
