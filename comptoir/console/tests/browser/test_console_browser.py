"""The console in a real browser: an agent works a ticket end to end (queue → ticket → macro →
reply → solve); two agents collide on one ticket; a supervisor reassigns. FR and EN."""

from __future__ import annotations

import pytest

from comptoir.testing.browser import MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_url, email):
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _world(language="fr"):
    from comptoir.accounts.enums import Role
    from comptoir.taxonomy.seeders import taxonomy_seed
    from comptoir.testing.factories import UserFactory
    from comptoir.tickets.models import Macro
    from comptoir.tickets.seeders import _calendar, _policies
    from comptoir.tickets.tests.conftest import make_agent, make_order, receive

    taxonomy_seed()
    _policies(_calendar())
    camille = make_agent(email="camille@example.org", teams=("delivery-delay",))
    camille.full_name = "Camille Martin"
    camille.language = language
    camille.save(update_fields=["full_name", "language"])
    hugo = make_agent(email="hugo@example.org", teams=("delivery-delay",))
    hugo.full_name = "Hugo Bernard"
    hugo.language = language
    hugo.save(update_fields=["full_name", "language"])
    sophie = make_agent(email="sophie@example.org", role=Role.SUPERVISOR, teams=("delivery-delay",))
    sophie.language = language
    sophie.save(update_fields=["language"])
    buyer = UserFactory(email="lea@example.org", full_name="Léa Dubois")
    order = make_order(buyer)
    earlier = receive(buyer, text="Question sur ma facture", node_code="delivery.delay").ticket
    ticket = receive(
        buyer,
        text=f"Bonjour, ma commande {order.number} n'est jamais arrivée.",
        node_code="delivery.delay",
        subject="Colis jamais arrivé",
    ).ticket
    from comptoir.tickets.services import ticket_assign

    ticket_assign(user=sophie, ticket=earlier, assignee=hugo)
    ticket_assign(user=sophie, ticket=ticket, assignee=camille)
    Macro.objects.get_or_create(
        code="suivi",
        defaults={
            "title_fr": "Suivi du colis",
            "title_en": "Parcel tracking",
            "body_fr": "Bonjour {{ customer_name }}, votre demande {{ ticket_number }} est suivie.",
            "body_en": "Hello {{ customer_name }}, we are following {{ ticket_number }}.",
        },
    )
    return ticket.number


LABELS = {
    "fr": {
        "mine": "Mes tickets",
        "solve": "Envoyer et résoudre",
        "solved": "résolue",
        "insert": "Insérer",
    },
    "en": {"mine": "My tickets", "solve": "Send and solve", "solved": "solved", "insert": "Insert"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_agent_works_a_ticket_end_to_end(live_url, playwright_browser, language):
    number = off_loop(_world, language)
    page = new_page(playwright_browser, language=language)
    log_in(page, live_url, "camille@example.org")
    page.goto(live_url + "/console/")
    page.wait_for_selector(f"text={LABELS[language]['mine']}")
    screenshot(page, f"console-queue-desktop-{language}")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/tickets/{number}/")
    page.keyboard.press("?")
    page.wait_for_selector("#cs-help:not([hidden])")
    screenshot(page, f"console-help-{language}", full_page=False)
    page.keyboard.press("Escape")
    page.select_option("[data-macro-select]", "suivi")
    page.wait_for_selector("[data-macro-insert]")
    page.click("[data-macro-insert]")
    assert number in page.input_value("[data-reply-text]")
    screenshot(page, f"console-ticket-desktop-{language}")
    page.click("[data-send-solve]")
    page.wait_for_load_state()
    assert LABELS[language]["solved"] in page.inner_text(".messages").lower()
    from comptoir.tickets.models import Ticket

    assert off_loop(lambda: Ticket.objects.get(number=number).status) == "solved"
    mobile = new_page(playwright_browser, language=language, viewport=MOBILE)
    log_in(mobile, live_url, "camille@example.org")
    mobile.goto(live_url + "/console/queues/teams/")
    screenshot(mobile, f"console-queue-mobile-{language}")
    mobile.goto(live_url + f"/console/tickets/{number}/")
    screenshot(mobile, f"console-ticket-mobile-{language}")
    mobile.context.close()
    page.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_two_agents_collide_on_one_ticket(live_url, playwright_browser, language):
    number = off_loop(_world, language)
    camille = new_page(playwright_browser, language=language)
    hugo = new_page(playwright_browser, language=language)
    log_in(camille, live_url, "camille@example.org")
    log_in(hugo, live_url, "hugo@example.org")
    camille.goto(live_url + f"/console/tickets/{number}/")
    hugo.goto(live_url + f"/console/tickets/{number}/")
    camille.wait_for_selector("[data-viewer='Hugo Bernard']")
    hugo.wait_for_selector("[data-viewer='Camille Martin']")
    hugo.fill("[data-reply-text]", "Je regarde")
    hugo.type("[data-reply-text]", ".")
    camille.wait_for_selector("[data-viewer='Hugo Bernard'].cs-typing")
    camille.fill("[data-reply-text]", "Réponse de Camille")
    hugo.click("[data-send]")
    hugo.wait_for_load_state()
    # Camille's page learns of Hugo's reply live; her send asks for confirmation first.
    camille.wait_for_selector("text=Je regarde.")
    screenshot(camille, f"console-collision-{language}", full_page=False)
    camille.click("[data-send]")
    camille.wait_for_selector("[data-collision-warning]")
    from comptoir.tickets.models import Message

    assert off_loop(lambda: Message.objects.filter(body_text="Réponse de Camille").count()) == 0
    camille.click("[data-send]")
    camille.wait_for_load_state()
    camille.wait_for_selector(".message-success")
    assert off_loop(lambda: Message.objects.filter(body_text="Réponse de Camille").count()) == 1
    camille.context.close()
    hugo.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_supervisor_reassigns(live_url, playwright_browser, language):
    number = off_loop(_world, language)
    page = new_page(playwright_browser, language=language)
    log_in(page, live_url, "sophie@example.org")
    page.goto(live_url + "/console/supervisor/")
    screenshot(page, f"console-supervisor-{language}")
    page.goto(live_url + "/console/queues/teams/")
    page.check(f"input[name=tickets][value='{number}']")
    page.select_option("[data-bulk-action]", "assign")
    from comptoir.accounts.models import User

    hugo = off_loop(lambda: User.objects.get(email="hugo@example.org").public_id)
    page.select_option("select[name=value_assign]", hugo)
    page.click("[data-bulk-submit]")
    page.wait_for_selector("[data-bulk-confirm]")
    screenshot(page, f"console-bulk-confirm-{language}")
    page.click("[data-bulk-confirm]")
    page.wait_for_selector("[data-bulk-result]")
    from comptoir.tickets.models import Ticket

    assert off_loop(lambda: Ticket.objects.get(number=number).assignee.email) == "hugo@example.org"
    page.context.close()
