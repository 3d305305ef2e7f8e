"""Start the next financial year: its twelve periods; the structure carries forward."""

from django.core.management.base import BaseCommand, CommandError

from budgets.council_setup import SetupError, Source, year_start


class Command(BaseCommand):
    help = (
        "Start the financial year after the latest one (e.g. 2025/26) with its twelve periods. "
        "Directorates, services and budget lines carry forward; then load the year's budget "
        "book with import_budgets --year."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", help="The next financial year, e.g. 2025/26")

    def handle(self, *args, year, **options):
        try:
            result = year_start(user=None, year_label=year, source=Source.COMMAND)
        except SetupError as exc:
            raise CommandError(str(exc)) from None
        for message in result.messages:
            self.stdout.write(message)
