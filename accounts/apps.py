from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Users"), "accounts:users", "accounts.manage", 80))

        from accounts import signals  # noqa: F401  (connects the login audit receivers)
