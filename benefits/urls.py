from benefits.views import batches, people

app_name = "benefits"
urlpatterns = [*batches.urlpatterns, *people.urlpatterns]
