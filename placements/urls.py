from django.urls import path

from placements import views

app_name = "placements"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("scenarios/", views.scenario_list, name="scenarios"),
]
