from django.urls import path

from . import views
from . import views_supervisor as sup

app_name = "console"

urlpatterns = [
    path("console/", views.queue, name="home"),
    path("console/queues/<slug:code>/", views.queue, name="queue"),
    path("console/counts/", views.counts, name="counts"),
    path("console/bulk/", views.bulk, name="bulk"),
    path("console/presence/", views.presence, name="presence"),
    path("console/tickets/<str:number>/", views.ticket, name="ticket"),
    path("console/tickets/<str:number>/conversation/", views.conversation, name="conversation"),
    path("console/tickets/<str:number>/reply/", views.reply, name="reply"),
    path("console/tickets/<str:number>/note/", views.note, name="note"),
    path("console/tickets/<str:number>/status/", views.status, name="status"),
    path("console/tickets/<str:number>/assign/", views.assign, name="assign"),
    path("console/tickets/<str:number>/tags/", views.tags, name="tags"),
    path("console/tickets/<str:number>/order/", views.link_order, name="link_order"),
    path("console/tickets/<str:number>/macro/", views.macro_preview, name="macro_preview"),
    path("console/tickets/<str:number>/merge/search/", views.merge_search, name="merge_search"),
    path("console/tickets/<str:number>/merge/", views.merge, name="merge"),
    path("console/supervisor/", sup.overview, name="sup_overview"),
    path("console/supervisor/agents/", sup.agents, name="sup_agents"),
    path("console/supervisor/agents/<str:public_id>/", sup.agent_edit, name="sup_agent"),
    path("console/supervisor/sla/", sup.sla, name="sup_sla"),
    path("console/supervisor/sla/new/", sup.sla_edit, name="sup_sla_new"),
    path("console/supervisor/sla/<int:pk>/", sup.sla_edit, name="sup_sla_edit"),
    path("console/supervisor/calendars/", sup.calendars, name="sup_calendars"),
    path("console/supervisor/calendars/new/", sup.calendar_edit, name="sup_calendar_new"),
    path("console/supervisor/calendars/<slug:code>/", sup.calendar_edit, name="sup_calendar"),
    path("console/supervisor/calendars/<slug:code>/holidays/", sup.holiday, name="sup_holiday"),
    path("console/supervisor/macros/", sup.macros, name="sup_macros"),
    path("console/supervisor/macros/new/", sup.macro_edit, name="sup_macro_new"),
    path("console/supervisor/macros/<slug:code>/", sup.macro_edit, name="sup_macro"),
    path("console/supervisor/history/", sup.history, name="sup_history"),
]
