from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "工作流程 / Workflow"

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Tasks"), "workflow:inbox", "workflow.inbox", 10))
        nav.register(nav.NavEntry(_("Statistics"), "workflow:stats", "workflow.stats", 60))

        from django.conf import settings

        from core import periodic
        from workflow.tasks import sweep_deadlines

        periodic.register("sweep_deadlines", sweep_deadlines, lambda: float(settings.WORKFLOW_SWEEP_SECONDS))

        from audit import actions
        from workflow.process import audit_action_codes, audit_action_label

        actions.resolver(audit_action_label)
        actions.code_source(audit_action_codes)

        from workflow import signals  # noqa: F401  (connects the handlers)
