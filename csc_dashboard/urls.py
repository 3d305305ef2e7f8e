from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from csc_dashboard import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("budgets/", include("budgets.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "csc_dashboard.views.server_error"

admin.site.site_header = "CSC Budget Monitor administration"
admin.site.site_title = "CSC Budget Monitor"
