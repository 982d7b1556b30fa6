"""WebSocket group names, in one place. Channels allows [a-zA-Z0-9_.-] only."""

from __future__ import annotations


def user_group(user_id: int) -> str:
    return f"user.{int(user_id)}"


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{int(ticket_id)}"


def chat_group(chat_id: int) -> str:
    return f"chat.{int(chat_id)}"
