from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ArticleLanguage(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"
