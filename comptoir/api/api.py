"""The API assembly: one NinjaAPI under /api/v1/; each app owns its router."""

from __future__ import annotations

from ninja import NinjaAPI

from .auth import AUTH
from .errors import install_error_handlers

api = NinjaAPI(
    title="Comptoir API",
    version="1",
    description=(
        "Customer care and buyer protection for marketplaces. Authenticate with "
        "`Authorization: Bearer <token>` (POST /api/v1/auth/token). Errors are "
        '`{"code", "message", "details"}`; lists are `{"items", "next_cursor"}`.'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)


def _mount_routers() -> None:
    from comptoir.accounts.api import router as accounts_router
    from comptoir.assistant.api import router as assistant_router
    from comptoir.catalog.api import router as catalog_router
    from comptoir.orders.api import router as orders_router
    from comptoir.taxonomy.api import router as taxonomy_router

    api.add_router("/", accounts_router)
    api.add_router("/help", taxonomy_router)
    from comptoir.helpcenter.api import router as helpcenter_router

    api.add_router("/help", helpcenter_router)
    api.add_router("/assistant", assistant_router)
    api.add_router("/", catalog_router)
    api.add_router("/", orders_router)

    import comptoir.intake.webform.api  # noqa: F401  (adds POST /tickets to the tickets router)
    from comptoir.tickets.api import router as tickets_router

    api.add_router("/", tickets_router)

    from comptoir.ledger.api import router as ledger_router
    from comptoir.ledger.api import webhook_router as ledger_webhook_router

    api.add_router("/", ledger_router)
    api.add_router("/", ledger_webhook_router)

    from comptoir.messaging.api import router as messaging_router

    api.add_router("/", messaging_router)

    from comptoir.disputes.api import router as disputes_router

    api.add_router("/", disputes_router)


_mount_routers()
