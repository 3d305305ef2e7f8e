"""Load the council's users (CSV or XLSX): all or nothing; prints each new user's one-time
set-password link (never logged or stored)."""

from django.conf import settings

from budgets.council_setup import Source, users_import
from budgets.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import users: username, full name, email, role (finance officer, director, scrutiny "
        "member, administrator), services (finance officers: DIR/SVC or SVC, ';'-separated), "
        "directorates (directors). Prints a one-time set-password link for each new user."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--resend",
            action="store_true",
            help="Print fresh links for every listed user who has not set a password yet.",
        )

    def run_import(self, source, *, path, resend=False, **options):
        report = users_import(
            source,
            file_name=path.name,
            user=None,
            resend=resend,
            source_kind=Source.COMMAND,
            max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
        )
        if report.links:
            days = settings.CSC_SET_PASSWORD_DAYS
            self.stdout.write(
                f"One-time links to set a password (valid for {days} days, until used); "
                "send each to its user privately:"
            )
            for username, link in report.links:
                self.stdout.write(f"  {username}: {link}")
        return report
