from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "老兵本色积分 / Merit points"

    def ready(self) -> None:
        from core import navigation as nav
        from points import process, signals  # noqa: F401  (registers the processes and the receivers)

        nav.register(nav.NavEntry(_("Merit points"), "points:home", "points.view", 45))

        from points import timeline  # noqa: F401  (registers the timeline provider)
        from veterans import actions
        from veterans.choices import Status

        def living(veteran: object) -> bool:
            return getattr(veteran, "status", None) != Status.DECEASED

        actions.register(actions.PersonAction(_("Points ledger"), "points:ledger_of", "points.view", order=45))
        actions.register(
            actions.PersonAction(_("Record points"), "points:entry_new", "points.submit", applies=living, order=46)
        )
