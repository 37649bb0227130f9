from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "信访 / Petitions"

    def ready(self) -> None:
        from petitions import process, timeline  # noqa: F401  (registers the process and the timeline provider)
