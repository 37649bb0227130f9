from martyrs.views import families, martyrs, memorials

app_name = "martyrs"
urlpatterns = [*families.urlpatterns, *memorials.urlpatterns, *martyrs.urlpatterns]
