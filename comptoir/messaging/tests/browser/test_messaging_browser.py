"""A buyer asks a pre-sale question from the product page; the seller answers from the seller
inbox; the buyer sees the answer arrive live (and the seller the read receipt), in FR and EN."""

from __future__ import annotations

import pytest

from comptoir.accounts.enums import Role
from comptoir.messaging.tests.conftest import make_product
from comptoir.testing.browser import MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD, UserFactory, seller_with_shop

LABELS = {
    "fr": {
        "contact": "Contacter le vendeur",
        "send": "Envoyer",
        "center": "Centre de messagerie",
        "seller_inbox": "Messagerie vendeur",
        "read": "Lu",
        "to_answer": "À répondre",
        "answers_within": "Répond généralement en",
    },
    "en": {
        "contact": "Contact the seller",
        "send": "Send",
        "center": "Message center",
        "seller_inbox": "Seller inbox",
        "read": "Read",
        "to_answer": "To answer",
        "answers_within": "Usually answers within",
    },
}


def log_in(page, live_url, email):
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_pre_sale_question_and_live_answer(live_url, playwright_browser, language):
    labels = LABELS[language]

    def setup():
        buyer = UserFactory(
            email=f"buyer-{language}@example.org",
            full_name="Léa Dubois" if language == "fr" else "Emily Carter",
            role=Role.BUYER,
            language=language,
        )
        seller, shop = seller_with_shop(
            email=f"seller-{language}@example.org", full_name="Julien Moreau", language=language
        )
        shop.name = "Atelier Lumière"
        shop.save()
        return buyer, seller, make_product(shop)

    buyer, seller, product = off_loop(setup)
    buyer_page = new_page(playwright_browser, language=language)
    seller_page = new_page(playwright_browser, language=language)
    log_in(buyer_page, live_url, buyer.email)
    log_in(seller_page, live_url, seller.email)

    buyer_page.goto(f"{live_url}/products/{product.public_id}/")
    buyer_page.get_by_role("link", name=labels["contact"]).click()
    question = "Existe-t-elle en vert ?" if language == "fr" else "Does it come in green?"
    buyer_page.fill("textarea[name=text]", question)
    buyer_page.get_by_role("button", name=labels["send"]).click()
    buyer_page.wait_for_selector(".msg-mine")
    assert question in buyer_page.locator(".msg-thread").inner_text()
    buyer_page.wait_for_function("document.documentElement.dataset.messagingLive === '1'")

    seller_page.goto(f"{live_url}/messages/shop/")
    assert seller_page.get_by_role("heading", level=1).inner_text() == labels["seller_inbox"]
    assert labels["to_answer"] in seller_page.locator(".msg-list").inner_text()
    screenshot(seller_page, f"msg-seller-inbox-{language}")
    seller_page.locator(".msg-item a").first.click()
    seller_page.wait_for_selector(".msg-theirs")
    answer = (
        "Oui, en vert sauge, voir https://exemple.fr/vert"
        if language == "fr"
        else "Yes, sage green: see https://example.com/green"
    )
    seller_page.fill("textarea[name=text]", answer)
    seller_page.get_by_role("button", name=labels["send"]).click()

    # The buyer did not reload: the answer arrives over the WebSocket.
    buyer_page.wait_for_selector(".msg-theirs .msg-text a[rel~=nofollow]")
    assert answer.split(",")[0].split(":")[0] in buyer_page.locator(".msg-theirs").last.inner_text()
    link = buyer_page.locator(".msg-theirs .msg-text a").last
    assert "noopener" in link.get_attribute("rel")
    screenshot(buyer_page, f"msg-conversation-{language}")

    # The buyer's page marked it read: the seller's page shows the receipt (after its reload).
    seller_page.wait_for_selector(".msg-mine")
    seller_page.wait_for_function("document.documentElement.dataset.messagingLive === '1'")
    seller_page.wait_for_function(
        f"[...document.querySelectorAll('.msg-mine [data-receipt]')].some(e => e.textContent.trim() === '{labels['read']}')",
        timeout=10_000,
    )
    screenshot(seller_page, f"msg-conversation-seller-{language}")

    buyer_page.goto(f"{live_url}/messages/")
    assert buyer_page.get_by_role("heading", level=1).inner_text() == labels["center"]
    assert "Atelier Lumière" in buyer_page.locator(".msg-list").inner_text()
    screenshot(buyer_page, f"msg-inbox-{language}")

    # The shop answered: its median first-response time shows on its shop and product pages.
    shop_slug = off_loop(lambda: product.shop.slug)
    for url, name in (
        (f"/shops/{shop_slug}/", "shop"),
        (f"/products/{product.public_id}/", "product"),
    ):
        buyer_page.goto(live_url + url)
        shown = buyer_page.get_by_test_id("response-time").inner_text()
        assert labels["answers_within"] in shown, (url, shown)
        screenshot(buyer_page, f"msg-response-time-{name}-{language}")

    mobile = new_page(playwright_browser, language=language, viewport=MOBILE)
    log_in(mobile, live_url, buyer.email)
    mobile.goto(f"{live_url}/messages/")
    screenshot(mobile, f"msg-inbox-mobile-{language}")
    mobile.locator(".msg-item a").first.click()
    mobile.wait_for_selector(".msg-thread")
    screenshot(mobile, f"msg-conversation-mobile-{language}")
    mobile.goto(f"{live_url}/products/{product.public_id}/")
    screenshot(mobile, f"msg-product-mobile-{language}")
    for p in (buyer_page, seller_page, mobile):
        p.context.close()
