from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "一件事 / Life-event cases"

    def ready(self) -> None:
        from cases import process, signals, timeline  # noqa: F401  (the process, the deceased hook, the timeline)
