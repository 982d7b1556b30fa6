"""A customer files a ticket from the contact form and follows it on "Mes demandes", in FR and
EN; the agent's answer arrives, the customer replies, then rates the solved request."""

from __future__ import annotations

import pytest

from comptoir.accounts.enums import Role
from comptoir.testing.browser import MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD, UserFactory
from comptoir.tickets.enums import TicketStatus
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_change_status, ticket_reply


def log_in(page, live_url, email):
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _desk():
    from comptoir.taxonomy.seeders import taxonomy_seed
    from comptoir.tickets.seeders import _calendar, _policies
    from comptoir.tickets.tests.conftest import make_agent

    taxonomy_seed()
    _policies(_calendar())
    return make_agent(email="agent-browser@example.org", teams=("delivery-delay", "item-damaged"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "fr",
            {
                "title": "Mes demandes",
                "send": "Envoyer ma demande",
                "reply": "Envoyer",
                "rate": "Envoyer ma note",
                "solved": "Résolue",
                "thanks": "Merci",
            },
        ),
        (
            "en",
            {
                "title": "My requests",
                "send": "Send my request",
                "reply": "Send",
                "rate": "Send my rating",
                "solved": "Solved",
                "thanks": "Thank you",
            },
        ),
    ],
)
def test_customer_files_and_follows_a_ticket(live_url, playwright_browser, language, labels):
    agent = off_loop(_desk)
    email = f"client-{language}@example.org"
    off_loop(
        lambda: UserFactory(
            email=email,
            full_name="Léa Dubois" if language == "fr" else "Emily Carter",
            role=Role.BUYER,
            language=language,
        )
    )
    page = new_page(playwright_browser, language=language)
    log_in(page, live_url, email)
    page.goto(live_url + "/support/requests/")
    assert page.get_by_role("heading", level=1).inner_text() == labels["title"]
    screenshot(page, f"tickets-list-empty-{language}")
    page.locator(".tk-header a.button").click()
    page.select_option("select[name=taxonomy]", "item.damaged.broken_on_arrival")
    subject = "Lampe cassée" if language == "fr" else "Broken lamp"
    text = (
        "Bonjour, la lampe est arrivée cassée, le carton était écrasé."
        if language == "fr"
        else "Hello, the lamp arrived broken, the box was crushed."
    )
    page.fill("input[name=subject]", subject)
    page.fill("textarea[name=text]", text)
    screenshot(page, f"tickets-contact-form-{language}")
    page.get_by_role("button", name=labels["send"]).click()
    page.wait_for_url("**/support/requests/T-*/")
    number = page.get_by_test_id("ticket-number").inner_text()
    ticket = off_loop(lambda: Ticket.objects.get(number=number))
    assert ticket.language == language and ticket.team_id is not None

    def answer():
        t = Ticket.objects.get(number=number)
        ticket_reply(
            user=agent,
            ticket=t,
            text="Nous sommes désolés. Pouvez-vous envoyer une photo ?"
            if language == "fr"
            else "We are sorry. Could you send a photo?",
            then="pend",
        )

    off_loop(answer)
    page.reload()
    page.fill(
        "textarea[name=text]", "Voici ma réponse." if language == "fr" else "Here is my answer."
    )
    page.get_by_role("button", name=labels["reply"], exact=True).click()
    page.wait_for_load_state()
    assert off_loop(lambda: Ticket.objects.get(number=number).status) == TicketStatus.OPEN

    off_loop(
        lambda: ticket_change_status(
            user=agent, ticket=Ticket.objects.get(number=number), action="solve"
        )
    )
    page.reload()
    assert page.get_by_test_id("ticket-status").inner_text() == labels["solved"]
    screenshot(page, f"tickets-detail-solved-{language}")
    page.locator("label[for=id_score_0]").click()  # 5
    page.fill("textarea[name=comment]", "Parfait" if language == "fr" else "Great")
    page.get_by_role("button", name=labels["rate"]).click()
    page.wait_for_load_state()
    assert labels["thanks"] in page.locator("main").inner_text()
    assert off_loop(lambda: Ticket.objects.get(number=number).csat.score) == 5

    page.goto(live_url + "/support/requests/")
    assert page.locator(".tk-card").count() == 1
    screenshot(page, f"tickets-list-{language}")
    mobile = new_page(playwright_browser, language=language, viewport=MOBILE)
    log_in(mobile, live_url, email)
    mobile.goto(live_url + "/support/requests/")
    screenshot(mobile, f"tickets-list-mobile-{language}")
    mobile.goto(live_url + f"/support/requests/{number}/")
    screenshot(mobile, f"tickets-detail-mobile-{language}")
    mobile.goto(live_url + "/support/new/")
    screenshot(mobile, f"tickets-contact-form-mobile-{language}")
    mobile.context.close()
    page.context.close()
