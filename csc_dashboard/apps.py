from django.apps import AppConfig


class CscDashboardConfig(AppConfig):
    name = "csc_dashboard"
    verbose_name = "CSC Budget Monitor"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from csc_dashboard import db_roles

        post_migrate.connect(grant_app_role_once, dispatch_uid="csc_grant_app_role")
        connection_created.connect(db_roles.refuse_superuser, dispatch_uid="csc_no_superuser")


def grant_app_role_once(sender, using, **kwargs):
    from csc_dashboard import db_roles

    db_roles.grant_app_role(sender, using, **kwargs)
