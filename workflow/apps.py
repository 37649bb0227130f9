from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "工作流程 / Workflow"

    def ready(self) -> None:
        from workflow import signals  # noqa: F401  (connects the handlers)
