"""English phrase banks for the training data (written for Comptoir, MIT like the project).

Templates may use the slots {item}, {order}, {n}, {amount}, {carrier}, {track}. ``datagen``
fills them, wraps them in openings and closings, adds typos and writes the CSV files.

One module per section; every name is re-exported here."""

from __future__ import annotations

from .intents import INTENTS
from .more import MORE
from .more_2 import MORE_2, MORE_3
from .nodes import NODES
from .out_of_scope import MORE_OOS, MORE_OOS_2, OUT_OF_SCOPE
from .small_talk import MORE_GREETINGS, MORE_SMALL, SMALL_TALK

__all__ = [
    "INTENTS",
    "MORE",
    "MORE_2",
    "MORE_3",
    "MORE_GREETINGS",
    "MORE_OOS",
    "MORE_OOS_2",
    "MORE_SMALL",
    "NODES",
    "OUT_OF_SCOPE",
    "SMALL_TALK",
]
