from django.urls import path

from cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.home, name="home"),
    path("screen/", views.screen, name="screen"),
    path("<str:key>/", views.indicator, name="indicator"),
    path("<str:key>/xlsx/", views.indicator_xlsx, name="indicator_xlsx"),
]
