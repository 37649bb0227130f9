from django.urls import path, register_converter
from django.urls.converters import StringConverter

from regions import views


class CodeConverter(StringConverter):
    regex = "[0-9]{12}|[0-9]{15}"


register_converter(CodeConverter, "code")

app_name = "regions"
urlpatterns = [
    path("", views.index, name="index"),
    path("stations/", views.stations, name="stations"),
    path("grids/", views.grids, name="grids"),
    path("pick/", views.pick, name="pick"),
    path("<code:code>/", views.detail, name="detail"),
    path("<code:code>/new/", views.create_child, name="create_child"),
    path("<code:code>/edit/", views.edit, name="edit"),
    path("<code:code>/station/", views.station_edit, name="station_edit"),
    path("<code:code>/designate/", views.designate, name="designate"),
    path("<code:code>/rate/", views.rate, name="rate"),
    path("<code:code>/leader/", views.leader, name="leader"),
]
