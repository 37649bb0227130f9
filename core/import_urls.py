from django.urls import path

from core import import_views as views

app_name = "imports"
urlpatterns = [
    path("new/<slug:name>/", views.import_new, name="new"),
    path("template/<slug:name>.xlsx", views.import_template, name="template"),
    path("<uuid:pk>/", views.import_job, name="job"),
    path("<uuid:pk>/commit/", views.import_commit, name="commit"),
    path("<uuid:pk>/report.xlsx", views.import_report, name="report"),
]
