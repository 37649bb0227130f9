from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Home"), "core:home", "", 0))
