from django.contrib import admin

from workforce import models


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "caseload_target", "line"]


@admin.register(models.Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "team", "grade", "fte", "budgeted_cost", "social_work"]
    list_filter = ["team", "social_work"]
    search_fields = ["reference", "title"]


@admin.register(models.Filling)
class FillingAdmin(admin.ModelAdmin):
    list_display = ["post", "start", "end", "status", "fte", "annual_cost"]
    list_filter = ["status"]
    list_select_related = ["post"]


@admin.register(models.TeamCaseload)
class TeamCaseloadAdmin(admin.ModelAdmin):
    list_display = ["team", "month", "cases", "case_holding_fte"]


@admin.register(models.CensusReturn)
class CensusReturnAdmin(admin.ModelAdmin):
    list_display = ["reference_date", "workers", "worker_fte", "agency_workers", "vacancies"]


@admin.register(models.Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_by", "created_at"]
