"""In the browser, FR and EN: a buyer opens a dispute step by step with a photo, the seller
refuses with a counter-proposal, the buyer escalates, an officer decides, the seller appeals,
another officer decides the appeal (return and refund), then the return: the seller gives the
address, the buyer ships with a tracking number, the seller confirms receipt and the buyer is
refunded. Screenshots of every page in var/screenshots/disputes-*.png."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from comptoir.core import clock
from comptoir.testing.browser import MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

from .conftest import deliver, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (190, 60, 40)).save(buf, "PNG")
    return buf.getvalue()


def _setup(buyer, seller, officer, officer2, language):
    from comptoir.accounts.models import User
    from comptoir.taxonomy.seeders import taxonomy_seed
    from comptoir.tickets.seeders import _calendar, _policies

    taxonomy_seed()
    _policies(_calendar())
    User.objects.filter(pk__in=[buyer.pk, seller.pk, officer.pk, officer2.pk]).update(
        language=language
    )


def _log_in(browser, live_url, email, language, viewport=None):
    page = new_page(browser, language=language, viewport=viewport)
    page.set_default_timeout(30_000)
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page


def _confirm(page):
    """The confirmation page of an irreversible action: check it, then confirm."""
    page.wait_for_selector("form input[name=confirm]", state="attached")
    page.click("form:has(input[name=confirm]) button[type=submit]")
    page.wait_for_load_state()


def _unfold(page, form):
    """Open the <details> that holds ``form`` (the first action of a list is open already)."""
    page.locator(f"details:has({form})").evaluate("d => { d.open = true; }")


def _state(public_id):
    from comptoir.disputes.models import Dispute

    d = Dispute.objects.get(public_id=public_id)
    ret = d.returns.order_by("pk").first()
    return d.status, (ret.public_id if ret else None), (ret.status if ret else None)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_dispute_from_opening_to_the_return(
    live_url, playwright_browser, buyer, seller, shop, officer, officer2, language
):
    off_loop(_setup, buyer, seller, officer, officer2, language)
    now = clock.now()
    order = off_loop(
        lambda: deliver(
            make_order(buyer, shop, ["39.90", "12.50"], at=now - dt.timedelta(days=10)),
            now - dt.timedelta(days=4),
        )
    )
    number = order.formatted_number
    first_line = off_loop(lambda: order.lines.order_by("position").first().pk)
    tag = f"disputes-{{}}-{language}"

    # 1. The buyer opens a dispute, step by step, with a photo.
    page = _log_in(playwright_browser, live_url, buyer.email, language)
    page.goto(live_url + f"/orders/{number}/")
    page.click(f"a[href='/orders/{order.number}/dispute/']")
    page.wait_for_selector("form.dp-wizard fieldset[data-step]:not([hidden])")
    screenshot(page, tag.format("open-1-items"))
    page.check(f"input[name=lines][value='{first_line}']")
    page.click("[data-next]")
    page.check("input[name=reason][value=damaged]")
    screenshot(page, tag.format("open-2-reason"))
    page.click("[data-next]")
    page.check("input[name=request][value=refund]")
    screenshot(page, tag.format("open-3-request"))
    page.click("[data-next]")
    page.fill("input[name=amount]", "15.00")
    page.fill("textarea[name=description]", "Écran fissuré à la livraison / cracked screen")
    screenshot(page, tag.format("open-4-amount"))
    page.click("[data-next]")
    page.set_input_files(
        "input[name=evidence]",
        files=[{"name": "casse.png", "mimeType": "image/png", "buffer": _photo()}],
    )
    screenshot(page, tag.format("open-5-evidence"))
    page.click("[data-next]")
    summary = page.locator("[data-summary]").inner_text()
    assert "casse.png" in summary and "15.00" in summary
    screenshot(page, tag.format("open-6-confirm"))
    page.click("form.dp-wizard button[type=submit]")
    page.wait_for_url("**/disputes/*/")
    public_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert off_loop(_state, public_id)[0] == "awaiting_seller"
    assert page.locator(".dp-gallery img").count() == 1
    screenshot(page, tag.format("detail-buyer-opened"))
    page.context.close()

    # 2. The seller sees it first in their list and refuses with a counter-proposal.
    page = _log_in(playwright_browser, live_url, seller.email, language)
    page.goto(live_url + "/seller/disputes/")
    screenshot(page, tag.format("seller-list"))
    page.click(f"a[href='/disputes/{public_id}/']")
    form = f"form[action$='/{public_id}/refuse/']"
    _unfold(page, form)
    page.check(f"{form} input[name=outcome][value=partial_refund]")
    page.fill(f"{form} input[name=amount]", "5.00")
    page.fill(f"{form} textarea[name=message]", "Parti en parfait état / left in perfect shape")
    screenshot(page, tag.format("detail-seller-refuse-form"))
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert off_loop(_state, public_id)[0] == "refused"
    page.context.close()

    # 3. The buyer sees both proposals side by side and asks the platform to decide.
    page = _log_in(playwright_browser, live_url, buyer.email, language)
    page.goto(live_url + f"/disputes/{public_id}/")
    assert page.locator(".dp-side").count() == 3
    screenshot(page, tag.format("detail-buyer-refused"))
    page.click(f"form[action$='/{public_id}/escalate/'] button")
    screenshot(page, tag.format("confirm-escalate"))
    _confirm(page)
    assert off_loop(_state, public_id)[0] == "escalated"
    page.context.close()

    # 4. An officer decides from the arbitration screen.
    page = _log_in(playwright_browser, live_url, officer.email, language)
    page.goto(live_url + "/disputes/officers/")
    screenshot(page, tag.format("officer-queue"))
    page.click(f"a[href='/disputes/{public_id}/arbitrate/']")
    form = f"form[action$='/{public_id}/decide/']"
    _unfold(page, form)
    page.check(f"{form} input[name=outcome][value=partial_refund]")
    page.fill(f"{form} input[name=amount]", "8.00")
    page.fill(f"{form} textarea[name=message]", "Défaut réel mais léger / slight defect")
    screenshot(page, tag.format("arbitration"))
    page.click(f"{form} button[type=submit]")
    screenshot(page, tag.format("confirm-decide"))
    _confirm(page)
    assert off_loop(_state, public_id)[0] == "decided"
    page.context.close()

    # 5. The seller appeals, once.
    page = _log_in(playwright_browser, live_url, seller.email, language, viewport=MOBILE)
    page.goto(live_url + f"/disputes/{public_id}/")
    form = f"form[action$='/{public_id}/appeal/']"
    _unfold(page, form)
    page.fill(f"{form} textarea[name=message]", "Le client a fait tomber l'article")
    screenshot(page, tag.format("detail-seller-appeal-mobile"))
    page.click(f"{form} button[type=submit]")
    _confirm(page)
    assert off_loop(_state, public_id)[0] == "appealed"
    page.context.close()

    # 6. Another officer decides the appeal: return and refund (final).
    page = _log_in(playwright_browser, live_url, officer2.email, language)
    page.goto(live_url + "/disputes/officers/?tab=appeals")
    screenshot(page, tag.format("officer-appeals"))
    page.click(f"a[href='/disputes/{public_id}/arbitrate/']")
    form = f"form[action$='/{public_id}/decide-appeal/']"
    _unfold(page, form)
    page.check(f"{form} input[name=outcome][value=return_and_refund]")
    page.fill(f"{form} textarea[name=message]", "Retour et remboursement")
    page.click(f"{form} button[type=submit]")
    _confirm(page)
    status, return_id, return_status = off_loop(_state, public_id)
    assert (status, return_status) == ("awaiting_return", "awaiting_address")
    page.context.close()

    # 7. The return: address, shipping with tracking, receipt confirmed.
    page = _log_in(playwright_browser, live_url, seller.email, language)
    page.goto(live_url + f"/disputes/{public_id}/")
    page.click(f"a[href='/returns/{return_id}/']")
    screenshot(page, tag.format("return-seller-address"))
    form = f"form[action$='/{return_id}/return-address/']"
    for name, value in (
        ("name", "Boutique Julien"),
        ("line1", "8 quai des Marques"),
        ("postal_code", "69007"),
        ("city", "Lyon"),
        ("country", "FR"),
    ):
        page.fill(f"{form} input[name={name}]", value)
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert off_loop(_state, public_id)[2] == "awaiting_shipment"
    page.context.close()

    page = _log_in(playwright_browser, live_url, buyer.email, language)
    page.goto(live_url + f"/returns/{return_id}/")
    assert "8 quai des Marques" in page.content()
    form = f"form[action$='/{return_id}/return-ship/']"
    page.fill(f"{form} input[name=tracking_number]", f"RT{order.pk:07d}{language.upper()}")
    screenshot(page, tag.format("return-buyer-ship"))
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert off_loop(_state, public_id)[2] == "shipped"
    page.context.close()

    page = _log_in(playwright_browser, live_url, seller.email, language)
    page.goto(live_url + f"/returns/{return_id}/")
    page.click(f"form[action$='/{return_id}/return-confirm/'] button")
    screenshot(page, tag.format("return-confirm-receipt"))
    _confirm(page)
    assert off_loop(_state, public_id) == ("closed", return_id, "refunded")
    screenshot(page, tag.format("return-refunded"))
    page.context.close()
