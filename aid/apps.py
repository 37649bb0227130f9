from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "aid"
    verbose_name = "帮扶援助 / Hardship aid"

    def ready(self) -> None:
        from aid import process, timeline  # noqa: F401  (registers the process and the timeline provider)
        from core import navigation as nav
        from veterans import actions
        from veterans.choices import Status

        nav.register(nav.NavEntry(_("Hardship aid"), "aid:applications", "aid.view", 47))
        nav.register(nav.NavEntry(_("Aid fund"), "aid:fund", "aid.fund", 48))

        def living(veteran: object) -> bool:
            return getattr(veteran, "status", None) != Status.DECEASED

        actions.register(
            actions.PersonAction(
                _("Propose hardship aid"), "aid:application_new", "aid.propose", applies=living, order=47
            )
        )
