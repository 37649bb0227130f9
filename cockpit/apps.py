from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "cockpit"
    verbose_name = "数字驾驶舱 / Cockpit"

    def ready(self) -> None:
        from django.conf import settings
        from django.utils.module_loading import autodiscover_modules

        from core import navigation as nav
        from core import periodic

        # every app's indicators.py declares its indicators (cockpit.kit.declare); the cockpit never lists them
        autodiscover_modules("indicators")
        from cockpit import refresh, tasks

        refresh.listen()
        nav.register(nav.NavEntry(_("Cockpit"), "cockpit:home", "cockpit.view", 5))
        periodic.register("cockpit_refresh", tasks.refresh_cockpit, lambda: float(settings.COCKPIT_REFRESH_SECONDS))
