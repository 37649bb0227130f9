from django.urls import path, register_converter
from django.urls.converters import StringConverter

import cockpit.report_views as report_views
from cockpit import views


class IndicatorKey(StringConverter):
    """An indicator's key is its module's and its own name (``veterans.living``): always with a dot, so that
    the cockpit's other pages (``screen/``, …) are never taken for one."""

    regex = r"[\w-]+\.[\w.-]+"


register_converter(IndicatorKey, "indicator")

app_name = "cockpit"

urlpatterns = [
    path("", views.home, name="home"),
    path("screen/", views.screen, name="screen"),
    path("<indicator:key>/", views.indicator, name="indicator"),
    path("<indicator:key>/xlsx/", views.indicator_xlsx, name="indicator_xlsx"),
]
urlpatterns += [
    path("report/", report_views.report, name="report"),
    path("report/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("report/report.xlsx", report_views.report_xlsx, name="report_xlsx"),
]
