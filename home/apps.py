from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The site's front door: the home page and the demo command, on top of every other app."""

    name = "home"
    verbose_name = _("Home")

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Home"), "home:home", "", 0))
