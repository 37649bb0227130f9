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
