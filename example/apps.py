from django.apps import AppConfig


class ExampleConfig(AppConfig):
    """The example process of docs/workflow.md, installed by the test settings only, so the docs cannot rot."""

    name = "example"
    verbose_name = "示例流程 / Example process"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from example import process  # noqa: F401  (registers the process)
