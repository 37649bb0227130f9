from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VeteransConfig(AppConfig):
    name = "veterans"
    verbose_name = _("Veteran registry")

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Veterans"), "veterans:list", "veterans.view", 20))

        from core.imports import register_import
        from veterans import timeline  # noqa: F401  (registers the registry's own timeline provider)
        from veterans.imports import REGISTER

        register_import(REGISTER)

        from core.exports import register_export
        from veterans.exports import EXPORT

        register_export(EXPORT)
