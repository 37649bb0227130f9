from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "抚恤补助 / Pensions and subsidies"

    def ready(self) -> None:
        from benefits import process, signals  # noqa: F401  (registers the processes and the death receiver)
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Pensions and subsidies"), "benefits:home", "benefits.view", 40))

        from benefits import timeline  # noqa: F401  (registers the timeline providers)
        from veterans import actions

        actions.register(
            actions.PersonAction(_("Propose an entitlement"), "benefits:proposal_new", "benefits.propose", order=40)
        )

        from benefits.imports import DEATHS, ROLL
        from core.imports import register_import

        register_import(ROLL)
        register_import(DEATHS)
