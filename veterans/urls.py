from django.urls import path, re_path

from veterans import views

app_name = "veterans"
urlpatterns = [
    path("", views.veteran_list, name="list"),
    path("new/", views.veteran_create, name="create"),
    path("quality/", views.data_quality, name="quality"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.veteran_export, name="export"),
    path("<id:pk>/", views.veteran_detail, name="detail"),
    path("<id:pk>/edit/", views.veteran_edit, name="edit"),
    path("<id:pk>/reveal-id/", views.veteran_reveal, name="reveal"),
    path("<id:pk>/deceased/", views.veteran_deceased, name="deceased"),
    path("<id:pk>/family/new/", views.family_add, name="family_add"),
    path("<id:pk>/family/<id:member_id>/remove/", views.family_remove, name="family_remove"),
]
