from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "信访 / Petitions"

    def ready(self) -> None:
        from django.core import checks

        from core import navigation as nav
        from petitions.letters import font_check

        checks.register(font_check)

        nav.register(nav.NavEntry(_("Petitions"), "petitions:list", "petitions.view", 30))

        from petitions import process, timeline  # noqa: F401  (registers the process and the timeline provider)
        from petitions.process import PETITION
        from veterans import actions

        actions.register(
            actions.PersonAction(_("Register a petition"), "petitions:new", PETITION.open_capability, order=10)
        )
