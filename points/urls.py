from points.views import catalog, entries, figures, ledger, ranking, rewards

app_name = "points"
urlpatterns = [
    *entries.urlpatterns,
    *catalog.urlpatterns,
    *ledger.urlpatterns,
    *ranking.urlpatterns,
    *rewards.urlpatterns,
    *figures.urlpatterns,
]
