from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entries, name="list"),
    path("<id:seq>/", views.entry, name="entry"),
    path("verify/", views.verify, name="verify"),
]
