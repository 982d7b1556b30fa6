"""The assistant's understanding engine (PRODUCT.md §6): language, intent, out-of-scope,
entities and the second-level taxonomy node of free text.

Imports nothing from the domain apps: only ``comptoir.core`` (language detector, order-number
finder, node-predictor registry). Trained from the repository's data at first use into
``var/nlu/<hash>/`` (see ``model_store``)."""
