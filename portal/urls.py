from portal.views import urlpatterns

app_name = "portal"
__all__ = ["urlpatterns"]
