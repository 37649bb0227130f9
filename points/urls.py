from points.views import catalog, entries, ledger, ranking, rewards

app_name = "points"
urlpatterns = [
    *entries.urlpatterns,
    *catalog.urlpatterns,
    *ledger.urlpatterns,
    *ranking.urlpatterns,
    *rewards.urlpatterns,
]
