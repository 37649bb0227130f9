from django.urls import path

from veterans import views

app_name = "veterans"
urlpatterns = [
    path("", views.veteran_list, name="list"),
    path("new/", views.veteran_create, name="create"),
    path("quality/", views.data_quality, name="quality"),
    path("pick/", views.pick, name="pick"),
    path("<id:pk>/", views.veteran_detail, name="detail"),
    path("<id:pk>/edit/", views.veteran_edit, name="edit"),
    path("<id:pk>/reveal-id/", views.veteran_reveal, name="reveal"),
    path("<id:pk>/deceased/", views.veteran_deceased, name="deceased"),
    path("<id:pk>/family/new/", views.family_add, name="family_add"),
    path("<id:pk>/family/<id:member_id>/remove/", views.family_remove, name="family_remove"),
]
