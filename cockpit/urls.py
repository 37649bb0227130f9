from django.urls import path

import cockpit.report_views as report_views
from cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.home, name="home"),
]
urlpatterns += [
    path("report/", report_views.report, name="report"),
    path("report/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("report/report.xlsx", report_views.report_xlsx, name="report_xlsx"),
]
