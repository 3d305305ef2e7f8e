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
    list_display = ["category", "effective_from", "weekly_cost"]


@admin.register(models.UnitCostBenchmark)
class UnitCostBenchmarkAdmin(admin.ModelAdmin):
    list_display = ["category", "comparator", "weekly_cost"]


@admin.register(models.Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_by", "created_at"]
