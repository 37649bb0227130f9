from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "一件事 / Life-event cases"

    def ready(self) -> None:
        from cases import process, signals  # noqa: F401  (registers the process and the deceased hook)
