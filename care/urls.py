from care.views import contact, needs

app_name = "care"
urlpatterns = [*contact.urlpatterns, *needs.urlpatterns]
