"""ASGI entry point: HTTP through Django, WebSockets through Channels (one server for both)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.embedded")
django_asgi_app = get_asgi_application()

from comptoir.api.warmup import warm_up_in_background  # noqa: E402

warm_up_in_background()  # URLconfs, language detector, node predictor: not in a first request

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from comptoir.console.routing import websocket_urlpatterns as console_ws  # noqa: E402
from comptoir.core.routing import websocket_urlpatterns  # noqa: E402
from comptoir.messaging.routing import websocket_urlpatterns as messaging_ws  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns + messaging_ws + console_ws))
        ),
    }
)
