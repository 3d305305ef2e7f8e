"""Load a DfE Children's Social Work Workforce census return (XML): totals only."""

from budgets.import_command import ImportCommand
from workforce.importers import csww_import


class Command(ImportCommand):
    help = "Import the census totals of a CSWW XML return; worker details are never stored."

    def run_import(self, source, *, path, **options):
        return csww_import(source.read(), file_name=path.name)
