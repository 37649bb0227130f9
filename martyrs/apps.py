from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MartyrsConfig(AppConfig):
    name = "martyrs"
    verbose_name = "烈士与烈属 / Martyrs and their families"

    def ready(self) -> None:
        from core import navigation as nav
        from martyrs import timeline  # noqa: F401  (registers the timeline provider)
        from martyrs.models import MartyrFamily
        from veterans import actions, residence

        # a family member who moves takes their 一人一档 record to the station of where they now live
        residence.follow(residence.ResidenceCopy(MartyrFamily))

        nav.register(nav.NavEntry(_("My martyr families"), "martyrs:mine", "martyrs.respond", 42))
        nav.register(nav.NavEntry(_("Martyrs"), "martyrs:list", "martyrs.view", 43))
        nav.register(nav.NavEntry(_("Memorial facilities"), "martyrs:memorials", "martyrs.view", 44))

        def martyr_family(veteran: object) -> bool:
            """Offered on the page of a person registered as a martyr's surviving family (烈士遗属)."""
            categories = getattr(veteran, "categories", None)
            return categories is not None and any(c.category == MARTYR_FAMILY for c in categories.all())

        actions.register(
            actions.PersonAction(
                _("Martyr family record (一人一档)"),
                "martyrs:for_person",
                "martyrs.view",
                applies=martyr_family,
                order=42,
            )
        )


#: The registry's category of a martyr's surviving family (``veterans.choices.CATEGORIES``).
MARTYR_FAMILY = "martyr_family"
