from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "常态化联系与急难愁盼 / Regular contact and needs"

    def ready(self) -> None:
        from care import process, timeline  # noqa: F401  (registers the process and the timeline provider)
        from core import navigation as nav
        from veterans import actions
        from veterans.choices import Status

        nav.register(nav.NavEntry(_("My people"), "care:mine", "care.visit", 40))
        nav.register(nav.NavEntry(_("Contact and needs"), "care:home", "care.view", 41))

        def living(veteran: object) -> bool:
            return getattr(veteran, "status", None) != Status.DECEASED

        from accounts.roles import Role
        from care import selectors
        from workflow import reminders

        # the station's reminder: a town's or a village's (the city reads its towns' figures on /care/)
        STATIONS = (Role.TOWN_STAFF, Role.VILLAGE_STAFF)

        reminders.register(
            reminders.Reminder(
                "care.mine_overdue",
                _("of my people, overdue for contact"),
                "care.visit",
                lambda user, cap: reminders.capped_count(selectors.my_people(user).filter(overdue=True), cap),
                "care:mine",
                order=40,
            )
        )
        reminders.register(
            reminders.Reminder(
                "care.area_overdue", _("in the area, overdue for contact"), "care.assign",
                lambda user, cap: reminders.capped_count(selectors.overdue_contacts(user), cap),
                "care:overdue", applies=lambda user: user.role in STATIONS, order=41,
            )
        )  # fmt: skip
        actions.register(
            actions.PersonAction(_("Log a visit"), "care:visit_new", "care.visit", applies=living, order=40)
        )
        actions.register(
            actions.PersonAction(_("Contact person"), "care:assign", "care.assign", applies=living, order=42,
                                 in_path=True)
        )  # fmt: skip
        actions.register(
            actions.PersonAction(_("Raise a need"), "care:need_new", "care.need_raise", applies=living, order=41)
        )
