from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The veterans' own portal (老兵e家 H5): sign in by SMS code, their own record and what is theirs."""

    name = "portal"
    verbose_name = _("Veterans' portal")

    def ready(self) -> None:
        from portal import notices, process  # noqa: F401  # the events heard, the process declared
        from veterans import actions

        actions.register(actions.PersonAction(_("老兵e家 account"), "portal:station_account", "veterans.manage",
                                              applies=lambda veteran: veteran.status == "living", order=90,
                                              in_path=True))  # fmt: skip
