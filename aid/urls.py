from aid.views import applications, ceremonies, figures, fund

app_name = "aid"
urlpatterns = [
    *applications.urlpatterns,
    *fund.urlpatterns,
    *ceremonies.urlpatterns,
    *figures.urlpatterns,
]
