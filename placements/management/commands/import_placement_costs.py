"""Load placement costs: per episode (CHILD, DECOM, WEEKLY_COST) or a rate card per category
(CATEGORY, EFFECTIVE_FROM, WEEKLY_COST); all or nothing."""

from budgets.import_command import ImportCommand
from placements.importers import costs_import


class Command(ImportCommand):
    help = "Import weekly placement costs per episode, or a rate card per category."

    def run_import(self, source, *, path, progress, **options):
        return costs_import(source, file_name=path.name, progress=progress)
