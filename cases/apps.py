from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "一件事 / Life-event cases"

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("一件事"), "cases:list", "cases.view", 40))

        from cases import process, signals, timeline  # noqa: F401  (the process, the deceased hook, the timeline)
        from cases.process import LIFE_EVENT
        from veterans import actions

        actions.register(actions.PersonAction(_("Open a case"), "cases:open", LIFE_EVENT.open_capability, order=20))
