from django.urls import path, re_path

from core import export_views as views

app_name = "exports"
urlpatterns = [
    re_path(r"^new/(?P<name>[a-z_-]+)\.(?P<fmt>xlsx|csv)$", views.export_new, name="new"),
    path("<uuid:pk>/", views.export_job, name="job"),
    path("<uuid:pk>/file", views.export_file, name="file"),
]
