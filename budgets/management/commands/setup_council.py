"""Create (or, run again, rename) the council this deployment serves and its first year."""

from django.core.management.base import BaseCommand, CommandError

from budgets.council_setup import SetupError, Source, council_setup


class Command(BaseCommand):
    help = (
        "Set the council up: its DfE old LA code (checked against fixtures/dfe), its name, and "
        "its first financial year with twelve periods. Safe to run again (renames the council)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la-code", required=True, help="DfE old LA code, e.g. 210")
        parser.add_argument("--name", default="", help="Default: the DfE's name for the code")
        parser.add_argument("--year", required=True, help="First financial year, e.g. 2024/25")

    def handle(self, *args, la_code, name, year, **options):
        try:
            result = council_setup(
                user=None, la_code=la_code, name=name, year_label=year, source=Source.COMMAND
            )
        except SetupError as exc:
            raise CommandError(str(exc)) from None
        for message in result.messages:
            self.stdout.write(message)
