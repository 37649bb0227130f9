from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Service network")

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Service network"), "regions:index", "regions.view", 70))
        nav.register(nav.NavEntry(_("Stations"), "regions:stations", "regions.view", 71))
        nav.register(nav.NavEntry(_("Grids"), "regions:grids", "regions.view", 72))

        from audit.described import region_namer
        from regions.selectors import names_of

        region_namer(names_of)
