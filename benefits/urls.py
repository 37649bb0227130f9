from django.urls import path

from benefits import views

app_name = "benefits"
urlpatterns = [
    path("", views.home, name="home"),
    path("batches/<id:pk>/", views.batch_detail, name="batch"),
    path("proposals/<id:pk>/", views.proposal_detail, name="proposal"),
]
