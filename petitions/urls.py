from django.urls import path

from petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/letters/<slug:kind>.pdf", views.petition_letter, name="letter"),
    path("<int:pk>/review/", views.petition_review, name="review"),
]
