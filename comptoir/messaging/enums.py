"""Sides of a conversation and the Message Center's categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Side(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SHOP = "shop", _("Seller")


class InboxCategory(models.TextChoices):
    SELLERS = "sellers", pgettext_lazy("inbox filter", "Sellers")
    SUPPORT = "support", pgettext_lazy("inbox filter", "Customer service")
    DISPUTES = "disputes", pgettext_lazy("inbox filter", "Disputes")
    NOTIFICATIONS = "notifications", pgettext_lazy("inbox filter", "Notifications")


class AnswerFilter(models.TextChoices):
    ALL = "all", pgettext_lazy("seller inbox filter", "All")
    TO_ANSWER = "to_answer", pgettext_lazy("seller inbox filter", "To answer")
    ANSWERED = "answered", pgettext_lazy("seller inbox filter", "Answered")
