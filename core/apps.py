from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import periodic
        from core.export_jobs import purge_exports_task

        # Exports hold personal data: the worker deletes their files a day after (checked hourly).
        periodic.register("purge_exports", purge_exports_task, lambda: 3600.0)
