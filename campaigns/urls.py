from campaigns.views import urlpatterns

app_name = "campaigns"
__all__ = ["app_name", "urlpatterns"]
