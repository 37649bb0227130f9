from django.urls import path

from petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("<id:pk>/", views.petition_detail, name="detail"),
    path("<id:pk>/letters/<slug:kind>.pdf", views.petition_letter, name="letter"),
    path("<id:pk>/review/", views.petition_review, name="review"),
]
