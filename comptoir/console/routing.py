from django.urls import path

from .consumers import TicketCollisionConsumer

websocket_urlpatterns = [
    path("ws/console/tickets/<str:number>/", TicketCollisionConsumer.as_asgi()),
]
