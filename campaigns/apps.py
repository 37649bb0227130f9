from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "走访慰问活动 / Festival campaigns"

    def ready(self) -> None:
        from campaigns import services, timeline  # noqa: F401  (the campaign_progressed event, the timeline)
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Campaigns"), "campaigns:list", "campaigns.view", 42))
