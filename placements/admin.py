from django.contrib import admin

from placements import models


@admin.register(models.Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["child", "start", "end", "place", "place_provider", "category", "weekly_cost"]
    list_filter = ["category", "place"]


@admin.register(models.CategoryLine)
class CategoryLineAdmin(admin.ModelAdmin):
    list_display = ["category", "line"]


@admin.register(models.RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ["council", "category", "effective_from", "weekly_cost"]
    list_filter = ["council", "category"]


@admin.register(models.UnitCostBenchmark)
class UnitCostBenchmarkAdmin(admin.ModelAdmin):
    list_display = ["council", "category", "comparator", "weekly_cost"]
    list_filter = ["council"]


@admin.register(models.Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "kind", "created_by", "created_at"]
    list_filter = ["council"]
