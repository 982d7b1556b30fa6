"""Django admin for the taxonomy: a fallback editor for administrators.

Every write goes through the services (codes built by the rule, audit rows, change hooks); the
code is never editable, nodes are retired (an action), never deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.accounts.models import User
from comptoir.core.errors import ApplicationError

from .models import Node, NodeChange
from .services import node_create, node_retire, node_update

EDITABLE = (
    "label_fr",
    "label_en",
    "position",
    "team",
    "skill",
    "needs_order",
    "usual_resolution",
    "restricted",
)


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


class NodeChangeInline(admin.TabularInline):
    model = NodeChange
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "actor", "changes")
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _DryRun(Exception):
    pass


class NodeAdminForm(forms.ModelForm):
    """Validates by running the service in a savepoint that is rolled back, so every rule of the
    services (code rule, duplicate codes, settings per level) shows as a form error."""

    class Meta:
        model = Node
        fields = ("parent", *EDITABLE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].required = False
            self.fields["position"].help_text = _("Empty: after the last sibling.")

    def apply(self, *, actor: User | None) -> Node:
        data = self.cleaned_data
        if self.instance.pk is not None:
            changed = set(self.changed_data)
            values = {name: data[name] for name in EDITABLE if name in changed}
            if values.get("position") is None:
                values.pop("position", None)
            # On a concern, clearing a setting means "inherit it again".
            inherit = [
                name
                for name in ("team", "skill", "needs_order", "usual_resolution")
                if name in values and values[name] in (None, "")
            ]
            for name in inherit:
                values.pop(name)
            return node_update(node=self.instance, actor=actor, inherit=inherit, **values)
        return node_create(
            parent=data.get("parent"),
            actor=actor,
            label_fr=data.get("label_fr") or "",
            label_en=data.get("label_en") or "",
            position=data.get("position") or None,
            team=data.get("team"),
            skill=data.get("skill"),
            needs_order=data.get("needs_order"),
            usual_resolution=data.get("usual_resolution") or None,
            restricted=bool(data.get("restricted")),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.apply(actor=None)
                raise _DryRun
        except _DryRun:
            pass
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return cleaned


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "label_fr",
        "label_en",
        "level",
        "team",
        "needs_order",
        "usual_resolution",
        "restricted",
        "retired_at",
    )
    list_filter = ("level", "team", "usual_resolution", "restricted")
    search_fields = ("code", "label_fr", "label_en")
    ordering = ("code",)
    list_select_related = ("team",)
    form = NodeAdminForm
    actions = ("retire_nodes",)

    def get_fields(self, request: HttpRequest, obj: Node | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("parent", *EDITABLE)
        return ("code", "level", "parent", *EDITABLE, "retired_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Node | None = None) -> tuple[str, ...]:
        # The code is built by node_create and never changes; the place in the tree neither.
        return ("code", "level", "parent", "retired_at") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Node, form: NodeAdminForm, change: bool
    ) -> None:
        saved = form.apply(actor=_actor(request))
        obj.pk = saved.pk
        obj.code = saved.code
        obj.level = saved.level

    def get_inlines(
        self, request: HttpRequest, obj: Node | None
    ) -> tuple[type[admin.options.InlineModelAdmin[Any, Any]], ...]:
        return (NodeChangeInline,) if obj is not None else ()

    @admin.action(description=_("Retire the selected nodes (and everything under them)"))
    def retire_nodes(self, request: HttpRequest, queryset: QuerySet[Node]) -> None:
        count = 0
        for node in queryset.order_by("pk"):
            if not node.is_retired:
                node_retire(node=node, actor=_actor(request))
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d node retired.", "%(count)d nodes retired.", count)
            % {"count": count},
        )
