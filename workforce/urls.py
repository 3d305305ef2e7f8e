from django.urls import path

from workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("scenarios/", views.scenario_list, name="scenarios"),
]
