from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "走访慰问活动 / Festival campaigns"

    def ready(self) -> None:
        from campaigns import services, timeline  # noqa: F401  (the campaign_progressed event, the timeline)
        from core import navigation as nav

        nav.register(nav.NavEntry(_("Campaigns"), "campaigns:list", "campaigns.view", 42))

        from django.db.models import Q

        from campaigns.models import CampaignTarget
        from care.selectors import leads_grid
        from veterans import residence
        from workflow import reminders

        # a person who moves during an open campaign is reached by the grid they now live in (a closed
        # campaign's report stays as it was)
        residence.follow(residence.ResidenceCopy(CampaignTarget, only=Q(campaign__state="open")))

        def not_visited(user: Any, cap: int) -> int:
            open_ones = CampaignTarget.objects.visible_to(user).filter(campaign__state="open", visit_on__isnull=True)
            return reminders.capped_count(open_ones, cap)

        reminders.register(
            reminders.Reminder("campaigns.to_reach", _("people of an open campaign not yet visited"),
                               "campaigns.record", not_visited, "campaigns:list", applies=leads_grid, order=42)
        )  # fmt: skip
