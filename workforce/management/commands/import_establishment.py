"""Load an establishment extract (posts and how they are filled at a date): all or nothing."""

from budgets.import_command import ImportCommand
from workforce.importers import establishment_import


class Command(ImportCommand):
    help = "Import posts and their filling (permanent, agency, vacant) at a date."

    def run_import(self, source, *, path, progress, **options):
        return establishment_import(source, file_name=path.name, progress=progress)
