from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:directorate>/<str:service>/", views.service_detail, name="service"),
]
