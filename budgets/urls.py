from django.urls import path

from budgets import forecast_views, setup_views, views

app_name = "budgets"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/", views.periods, name="periods"),
    path("setup/", setup_views.setup, name="setup"),
    path("month-end/", views.month_end, name="month_end"),
    path("actuals/upload/", views.upload_actuals, name="upload_actuals"),
    path("lines/<str:code>/history/", views.line_history, name="line_history"),
    path("lines/<str:code>/actuals/", views.line_actuals, name="line_actuals"),
    path("<str:directorate>/<str:service>/", views.service_detail, name="service"),
    path("<str:directorate>/<str:service>/savings/", views.savings, name="savings"),
    path(
        "<str:directorate>/<str:service>/forecast/",
        forecast_views.forecast_entry,
        name="forecast",
    ),
    path(
        "<str:directorate>/<str:service>/forecast/copy-forward/",
        forecast_views.copy_forward,
        name="copy_forward",
    ),
    path(
        "<str:directorate>/<str:service>/forecast/<str:action>/",
        forecast_views.sign_off_action,
        name="sign_off",
    ),
]
