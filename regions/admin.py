from django.contrib import admin

from regions.models import StarCriterion


@admin.register(StarCriterion)
class StarCriterionAdmin(admin.ModelAdmin):
    """Back-office catalog: the criteria of the yearly star rating."""

    list_display = ["code", "name", "max_score", "order", "active"]
    list_editable = ["order", "active"]
