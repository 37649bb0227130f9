from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.urls import register_converter

        from core.ids import IdConverter

        # before any URLconf is read: every app's urls.py names its ids <id:…>
        register_converter(IdConverter, "id")

        from django.conf import settings

        from core import periodic
        from core.export_jobs import purge_exports_task
        from core.import_jobs import purge_uploads

        # Exports hold personal data: the worker deletes their files a day after (checked hourly).
        periodic.register("purge_exports", purge_exports_task, lambda: 3600.0)
        # An upload holds plain ID numbers: one nobody confirms is deleted after a day, by the worker.
        periodic.register("purge_uploads", purge_uploads, lambda: float(settings.IMPORT_PURGE_SECONDS))
