"""Email the month's reminders (for cron): officers whose services have not submitted their
forecast for the period, and administrators the list of late services."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from budgets.models import Period, parse_year_label
from budgets.notifications import send_reminders, services_not_submitted


def latest_ended_period(today) -> Period | None:
    """The latest open period whose month ended before `today`: the one now due."""
    ended = [
        p
        for p in Period.objects.select_related("year").filter(status=Period.Status.OPEN)
        if p.month_ends_on < today
    ]
    return max(ended, key=lambda p: (p.year.start_year, p.number), default=None)


class Command(BaseCommand):
    help = (
        "Email officers whose services have not submitted the period's forecast, and "
        "administrators the list of late services. Default period: the latest open one whose "
        "month has ended. Run it from cron, e.g. on the fifth working day of each month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", help="Financial year, e.g. 2024/25 (with --period)")
        parser.add_argument("--period", help="Period number, 1 (April) to 12 (March)")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the late services, send nothing"
        )

    def handle(self, *args, year=None, period=None, dry_run=False, **options):
        if bool(year) != bool(period):
            raise CommandError("Give both --year and --period, or neither.")
        if year:
            try:
                start_year = parse_year_label(year)
                number = int(period)
            except ValueError:
                raise CommandError(
                    f"Not a period: {year} period {period} (e.g. --year 2024/25 --period 3)."
                ) from None
            chosen = (
                Period.objects.select_related("year")
                .filter(year__start_year=start_year, number=number)
                .first()
            )
            if chosen is None:
                raise CommandError(f"There is no period {number} in {year}.")
        else:
            chosen = latest_ended_period(timezone.localdate())
            if chosen is None:
                self.stdout.write("No open period has ended yet: no reminders to send.")
                return
        late = services_not_submitted(chosen)
        self.stdout.write(f"{chosen}: {len(late)} service(s) not submitted.")
        for service in late:
            self.stdout.write(f"  {service.directorate.name}, {service.name}")
        if dry_run or not late:
            return
        sent, due = send_reminders(chosen)
        self.stdout.write(f"{sent} of {due} reminder email(s) sent.")
        if sent < due:
            raise CommandError("Some reminders could not be sent; the log says why.")
