from django.apps import AppConfig

# SSDA903 columns that identify a child or where they live: never quoted in the import log.
PERSONAL_COLUMNS = ("CHILD", "DOB", "HOME_POST", "PL_POST", "URN")


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self):
        from budgets.importing import declare_personal_import

        for kind in ("placements", "placement costs"):
            declare_personal_import(kind, PERSONAL_COLUMNS)
