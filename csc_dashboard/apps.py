from django.apps import AppConfig


class CscDashboardConfig(AppConfig):
    name = "csc_dashboard"
    verbose_name = "CSC Budget Monitor"
