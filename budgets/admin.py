from django.contrib import admin

from budgets import models


@admin.register(models.FinancialYear)
class FinancialYearAdmin(admin.ModelAdmin):
    list_display = ["label", "start_year"]


@admin.register(models.Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "number", "status"]
    list_filter = ["year", "status"]


@admin.register(models.Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "la_code"]


@admin.register(models.Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "council"]


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "directorate"]
    list_filter = ["directorate"]
    filter_horizontal = ["finance_officers"]


@admin.register(models.BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "service", "area_of_spend", "section_251_line"]
    list_filter = ["service", "area_of_spend"]
    search_fields = ["code", "name"]


@admin.register(models.Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["line", "year", "original", "revised"]
    list_filter = ["year", "line__service"]
    list_select_related = ["line", "year"]
    search_fields = ["line__code", "line__name"]


@admin.register(models.Actual)
class ActualAdmin(admin.ModelAdmin):
    list_display = ["line", "period", "amount"]
    list_filter = ["period__year", "line__service"]
    list_select_related = ["line", "period__year"]
    search_fields = ["line__code"]


@admin.register(models.Forecast)
class ForecastAdmin(admin.ModelAdmin):
    list_display = ["line", "period", "outturn", "author", "updated_at", "version"]
    list_filter = ["period__year", "line__service"]
    list_select_related = ["line", "period__year", "author"]
    search_fields = ["line__code", "commentary"]
    readonly_fields = ["updated_at", "version"]


@admin.register(models.Saving)
class SavingAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "description",
        "service",
        "year",
        "target",
        "forecast_delivery",
        "rag",
    ]
    list_filter = ["year", "service", "rag"]


@admin.register(models.LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["la_code", "name", "region_name"]
    search_fields = ["la_code", "name"]


@admin.register(models.StatisticalNeighbour)
class StatisticalNeighbourAdmin(admin.ModelAdmin):
    list_display = ["authority", "rank", "neighbour", "closeness"]
    list_select_related = ["authority", "neighbour"]
    search_fields = ["authority__name"]


@admin.register(models.ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "file_name", "user", "rows", "outcome"]
    list_filter = ["kind", "outcome"]
    readonly_fields = [f.name for f in models.ImportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
