from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.conf import settings

        from core import periodic
        from core.import_jobs import purge_uploads

        # An upload holds plain ID numbers: one nobody confirms is deleted after a day, by the worker.
        periodic.register("purge_uploads", purge_uploads, lambda: float(settings.IMPORT_PURGE_SECONDS))
