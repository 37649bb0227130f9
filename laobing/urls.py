from django.contrib import admin
from django.urls import include, path

from core import offline
from core import views as core_views
from laobing.api import api

urlpatterns = [
    path("", include("home.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
    # the phone's offline half (core.offline): the worker at the root, so that its scope covers every page
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline, name="offline"),
    path("accounts/", include("accounts.urls")),
    path("regions/", include("regions.urls")),
    path("audit/", include("audit.urls")),
    path("veterans/", include("veterans.urls")),
    path("imports/", include("core.import_urls")),
    path("exports/", include("core.export_urls")),
    path("petitions/", include("petitions.urls")),
    path("benefits/", include("benefits.urls")),
    path("points/", include("points.urls")),
    path("aid/", include("aid.urls")),
    path("care/", include("care.urls")),
    path("martyrs/", include("martyrs.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("cockpit/", include("cockpit.urls")),
    path("me/", include("portal.urls")),
    path("life-cases/", include("cases.urls")),
    path("", include("workflow.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
