from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "老兵本色积分 / Merit points"

    def ready(self) -> None:
        from core import navigation as nav
        from points import process, signals  # noqa: F401  (registers the processes and the receivers)

        nav.register(nav.NavEntry(_("Merit points"), "points:home", "points.view", 45))
