from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse_lazy

from csc_dashboard import committee_views, dashboard_views, demand_views, sso, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    path("signed-in", views.signed_in, name="signed_in"),
    path("dashboard/movement/", dashboard_views.movement, name="dashboard_movement"),
    path("dashboard/areas/", dashboard_views.areas, name="dashboard_areas"),
    path("dashboard/lac/", dashboard_views.lac, name="dashboard_lac"),
    path("dashboard/agency/", dashboard_views.agency, name="dashboard_agency"),
    path("dashboard/demand/", demand_views.demand_page, name="dashboard_demand"),
    path("accounts/login/", sso.LoginView.as_view(), name="login"),
    # Single sign-on (csc_dashboard/sso.py; 404 unless CSC_OIDC_ISSUER and the client are set).
    path("oidc/authenticate/", login_not_required(sso.SignInStart.as_view()), name="oidc_start"),
    path(
        "oidc/callback/",
        login_not_required(sso.SignInCallback.as_view()),
        name="oidc_authentication_callback",
    ),
    path("accounts/logout/", sso.SignOut.as_view(), name="logout"),
    # The one-time link import_users gives a new user to choose a password (Django's
    # password-reset token; the project's password validators apply).
    path(
        "accounts/set-password/done/",
        login_not_required(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="registration/set_password_done.html"
            )
        ),
        name="set_password_done",
    ),
    path(
        "accounts/set-password/<str:uidb64>/<str:token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="registration/set_password.html",
                success_url=reverse_lazy("set_password_done"),
            )
        ),
        name="set_password",
    ),
    path("committee/", committee_views.committee_page, name="committee"),
    path("committee/print/", committee_views.committee_print, name="committee_print"),
    path("committee/pack/", committee_views.pack_settings, name="committee_pack_settings"),
    path("committee/pack.xlsx", committee_views.export_pack, name="committee_pack"),
    path("committee/pack.docx", committee_views.export_docx, name="committee_pack_docx"),
    path("committee/pack.pdf", committee_views.export_pdf, name="committee_pack_pdf"),
    path("committee/<str:key>.<str:fmt>", committee_views.export_table, name="committee_table"),
    path("budgets/", include("budgets.urls")),
    path("placements/", include("placements.urls")),
    path("workforce/", include("workforce.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "csc_dashboard.views.permission_denied"
handler500 = "csc_dashboard.views.server_error"

admin.site.site_header = "CSC Budget Monitor administration"
admin.site.site_title = "CSC Budget Monitor"
