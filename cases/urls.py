from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<slug:stage>/", views.template_edit, name="template_edit"),
    path("<id:pk>/", views.case_detail, name="detail"),
]
