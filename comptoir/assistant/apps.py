from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "comptoir.assistant"
    label = "assistant"
    verbose_name = "Assistant"

    def ready(self) -> None:
        from comptoir.core.node_predictor import DEFAULT_KEY, node_predictors

        from .nlu import store
        from .predictor import live_node_codes, predict_node

        # The understanding engine replaces core's keyword rules for the support desk's intake.
        node_predictors.register(DEFAULT_KEY, predict_node, replace=True)
        store.set_node_catalogue(live_node_codes)
        try:
            from comptoir.taxonomy.hooks import taxonomy_changed_hooks
        except ImportError:  # pragma: no cover - the taxonomy app always ships the hook
            return
        taxonomy_changed_hooks.register("assistant.node_predictor", store.mark_stale, replace=True)
