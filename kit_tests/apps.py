from django.apps import AppConfig


class KitTestsConfig(AppConfig):
    """Models that exist only in the test database, to test the kit's abstract bases on real tables."""

    name = "kit_tests"
    default_auto_field = "django.db.models.BigAutoField"
