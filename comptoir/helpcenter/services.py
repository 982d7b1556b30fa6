"""Writes of the help center: articles (drafts, publication, internal flag, revisions),
feedback votes, deflections, and the contact requests of visitors who are not signed in."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.outbox import email_enqueue
from comptoir.core.uploads import (
    upload_create_anonymous,
    uploads_bound_to,
    uploads_delete_anonymous,
)
from comptoir.core.uploads.services import ANONYMOUS_KINDS
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.selectors import node_get

from .enums import ArticleLanguage, ArticleStatus
from .models import Article, ArticleFeedback, ArticleRevision, Deflection, PendingContactRequest
from .rendering import excerpt_of, render_markdown
from .search import article_reindex

PENDING_TTL = timedelta(days=3)
ANONYMOUS_MAX_FILES = 5


def _check_article(*, title: str, body_markdown: str, language: str, slug: str) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if not body_markdown.strip():
        errors["body_markdown"] = [_("This field is required.")]
    if language not in ArticleLanguage.values:
        errors["language"] = [_("Choose fr or en.")]
    if not slug or not all(c.isalnum() or c == "-" for c in slug) or slug != slug.lower():
        errors["slug"] = [_("Lowercase letters, digits and hyphens only.")]
    if errors:
        raise ValidationFailed(_("Check the article."), {"fields": errors})


def _snapshot(article: Article, *, actor: Any, note: str) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        title=article.title,
        body_markdown=article.body_markdown,
        keywords=article.keywords,
        status=article.status,
        internal=article.internal,
        node_code=article.node.code if article.node_id and article.node else "",
        actor=actor,
        note=note[:200],
    )


@transaction.atomic
def article_create(
    *,
    slug: str,
    language: str,
    title: str,
    body_markdown: str,
    node: Node | None,
    actor: Any = None,
    keywords: str = "",
    internal: bool = False,
    publish: bool = False,
    position: int = 0,
    related_slugs: str = "",
) -> Article:
    _check_article(title=title, body_markdown=body_markdown, language=language, slug=slug)
    if Article.objects.filter(slug=slug, language=language).exists():
        raise ValidationFailed(
            _("An article with this address already exists in this language."),
            {"fields": {"slug": [_("Already used.")]}},
        )
    now = clock.now()
    article = Article.objects.create(
        slug=slug,
        language=language,
        title=title.strip(),
        body_markdown=body_markdown,
        body_html=render_markdown(body_markdown),
        excerpt=excerpt_of(body_markdown),
        keywords=keywords.strip(),
        node=node,
        internal=internal,
        position=position,
        related_slugs=related_slugs,
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        published_at=now if publish else None,
    )
    _snapshot(article, actor=actor, note="created")
    article_reindex(article)
    return article


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update(of=("self",)).select_related("node").get(pk=article.pk)


@transaction.atomic
def article_update(
    *,
    article: Article,
    actor: Any,
    title: str,
    body_markdown: str,
    keywords: str,
    node: Node | None,
    internal: bool,
    status: str,
    note: str = "",
) -> Article:
    """Save a new revision; ``status`` publishes (``published``) or takes the article back to
    draft (``draft``). Saving the same content again writes nothing."""
    locked = _locked(article)
    _check_article(
        title=title, body_markdown=body_markdown, language=locked.language, slug=locked.slug
    )
    if status not in ArticleStatus.values:
        raise ValidationFailed(_("Unknown status."), {"fields": {"status": [_("Invalid.")]}})
    new = {
        "title": title.strip(),
        "body_markdown": body_markdown,
        "keywords": keywords.strip(),
        "node_id": node.pk if node else None,
        "internal": internal,
        "status": status,
    }
    if all(getattr(locked, name) == value for name, value in new.items()):
        return locked
    for name, value in new.items():
        setattr(locked, name, value)
    locked.node = node
    locked.body_html = render_markdown(body_markdown)
    locked.excerpt = excerpt_of(body_markdown)
    locked.revision += 1
    if status == ArticleStatus.PUBLISHED and locked.published_at is None:
        locked.published_at = clock.now()
    locked.save()
    _snapshot(locked, actor=actor, note=note or status)
    article_reindex(locked)
    return locked


@transaction.atomic
def feedback_record(*, article: Article, voter: str, helpful: bool) -> bool:
    """One vote per visitor: a second vote changes it. Returns True when a vote was counted."""
    existing = ArticleFeedback.objects.select_for_update().filter(article=article, voter=voter)
    previous = existing.first()
    if previous is not None:
        if previous.helpful == helpful:
            return False
        previous.helpful = helpful
        previous.save(update_fields=["helpful"])
        delta_yes, delta_no = (1, -1) if helpful else (-1, 1)
    else:
        try:
            with transaction.atomic():
                ArticleFeedback.objects.create(article=article, voter=voter, helpful=helpful)
        except IntegrityError:
            return False
        delta_yes, delta_no = (1, 0) if helpful else (0, 1)
    Article.objects.filter(pk=article.pk).update(
        helpful_yes=F("helpful_yes") + delta_yes, helpful_no=F("helpful_no") + delta_no
    )
    return True


@transaction.atomic
def deflection_record(
    *, node: Node, language: str, user: Any = None, article: Article | None = None
) -> Deflection:
    """ "This solved my problem": counted once per click; no ticket, no message."""
    deflection = Deflection.objects.create(
        node=node,
        article=article,
        language=language,
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    if article is not None:
        Article.objects.filter(pk=article.pk).update(deflections=F("deflections") + 1)
    return deflection


# --- visitors who are not signed in ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class PendingCreated:
    pending: PendingContactRequest
    token: str


@transaction.atomic
def pending_request_create(
    *,
    email: str,
    node_code: str,
    text: str,
    subject: str,
    order_number: str,
    language: str,
    attachments: Sequence[UploadedFile | tuple[str, bytes]] = (),
) -> PendingCreated:
    """Keep the request and e-mail a verification link; nothing reaches the desk before the
    visitor opens it. Attachments (images and PDF, see ``upload_create_anonymous``) are stored
    without an owner, bound to the verification token: nobody can download them, and they
    join the ticket only when that token is used."""
    node_get(code=node_code, include_retired=False)
    if len(attachments) > ANONYMOUS_MAX_FILES:
        raise ValidationFailed(
            _("Too many files."),
            {"attachments": [_("At most %(max)s files.") % {"max": ANONYMOUS_MAX_FILES}]},
        )
    token = secrets.token_urlsafe(32)
    uploads = [
        upload_create_anonymous(binding=token, file=file, allowed_kinds=set(ANONYMOUS_KINDS))
        for file in attachments
    ]
    pending = PendingContactRequest.objects.create(
        email=email.strip().lower(),
        token_hash=_hash(token),
        node_code=node_code,
        subject=subject[:200],
        text=text,
        order_number=order_number.strip()[:32],
        language=language,
        upload_ids=[upload.pk for upload in uploads],
        expires_at=clock.now() + PENDING_TTL,
    )
    link = settings.SITE_URL.rstrip("/") + reverse("helpcenter:verify", args=[token])
    with translation.override(language):
        email_enqueue(
            to=[pending.email],
            subject=_("Confirm your request to customer service"),
            body_text=_(
                "Hello,\n\nTo send your request to our customer service, confirm your e-mail "
                "address by opening this link within 3 days:\n\n%(link)s\n\nIf you did not "
                "write to us, ignore this message: nothing will be sent."
            )
            % {"link": link},
            idempotency_key=f"helpcenter:verify:{pending.pk}",
        )
    return PendingCreated(pending=pending, token=token)


@transaction.atomic
def pending_request_verify(*, token: str) -> str:
    """Verify the address, then open the ticket through the intake (once). The order number
    the visitor typed is linked only when it belongs to the account of that verified address.
    Returns the ticket number."""
    from comptoir.accounts.models import User
    from comptoir.core.order_numbers import normalise_order_number
    from comptoir.orders.models import Order
    from comptoir.tickets.enums import Channel, IdentityKind
    from comptoir.tickets.services import InboundMessage, SenderIdentity, intake_receive
    from comptoir.tickets.services.contacts import contact_for_identity, contact_identity_add

    pending = (
        PendingContactRequest.objects.select_for_update().filter(token_hash=_hash(token)).first()
    )
    if pending is None or (pending.verified_at is None and pending.expires_at < clock.now()):
        raise NotFound(_("This link is invalid or has expired."))
    if pending.ticket_number:
        return pending.ticket_number
    user = User.objects.filter(email__iexact=pending.email).first()
    order_number = None
    if user is not None and pending.order_number:
        digits = normalise_order_number(pending.order_number)
        if digits and Order.objects.filter(number=digits, buyer=user).exists():
            order_number = digits
    if user is None:
        contact = contact_for_identity(kind=IdentityKind.EMAIL, value=pending.email)
        contact_identity_add(
            contact=contact, kind=IdentityKind.EMAIL, value=pending.email, verified=True
        )
    result = intake_receive(
        inbound=InboundMessage(
            channel=Channel.WEB,
            channel_message_id=f"web:pending:{pending.pk}",
            text=pending.text,
            subject=pending.subject,
            sender_user=user,
            sender=None if user else SenderIdentity(kind=IdentityKind.EMAIL, value=pending.email),
            node_code=pending.node_code,
            order_number=order_number,
            attachments=tuple(uploads_bound_to(binding=token, ids=pending.upload_ids)),
            language_hint=pending.language,
        )
    )
    pending.verified_at = clock.now()
    pending.ticket_number = result.ticket.number
    pending.save(update_fields=["verified_at", "ticket_number"])
    return result.ticket.number


def unverified_retention() -> timedelta:
    """How long a request whose address was never verified is kept (with its files), counted
    from its creation; never less than the life of its link (``HELPCENTER_UNVERIFIED_RETENTION_DAYS``)."""
    days = getattr(settings, "HELPCENTER_UNVERIFIED_RETENTION_DAYS", 7)
    return max(timedelta(days=days), PENDING_TTL)


@transaction.atomic
def pending_requests_purge(*, now: Any, batch: int = 100) -> int:
    """Delete up to ``batch`` requests that were never verified, whose link has expired and
    that are older than ``unverified_retention()``, with their anonymous uploads (files after
    commit). Rows are locked (skipped when another worker holds them, on PostgreSQL), and the
    verification takes the same lock, so a request is never verified while being purged.
    Returns the number of requests deleted."""
    candidates = PendingContactRequest.objects.filter(
        verified_at__isnull=True, expires_at__lte=now, created_at__lte=now - unverified_retention()
    ).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True)
    rows = list(candidates.values_list("pk", "upload_ids")[:batch])
    if not rows:
        return 0
    uploads_delete_anonymous(ids=[int(pk) for _pk, ids in rows for pk in (ids or [])])
    deleted, _by_model = PendingContactRequest.objects.filter(
        pk__in=[pk for pk, _ids in rows], verified_at__isnull=True
    ).delete()
    return int(deleted)
