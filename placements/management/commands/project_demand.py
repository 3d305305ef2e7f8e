"""Project the current council's children looked after and their cost with the demand model."""

import json

from django.core.management.base import BaseCommand, CommandError

from budgets.progress import Progress
from placements import demand, demand_inputs, projection


class Command(BaseCommand):
    help = (
        "Project children looked after by age and placement group from the council's own "
        "SSDA903 episodes (daily transition and entry rates over a reference period), costed "
        "with its unit costs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reference-start", help="yyyy-mm-dd (default: three years back)")
        parser.add_argument("--reference-end", help="yyyy-mm-dd (default: the start)")
        parser.add_argument("--start", help="yyyy-mm-dd (default: the last day of data)")
        parser.add_argument("--months", help="months to project, 1 to 60 (default 12)")
        parser.add_argument("--groups", default="cost", help="cost or demand-model")
        parser.add_argument("--inflation", help="yearly inflation, percent (default 0)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--all-councils",
            action="store_true",
            help="every council of the database with episodes: one line each, with progress",
        )

    def handle(self, *args, **opts):
        if opts["all_councils"]:
            self.every_council(opts)
            return
        grouping = opts["groups"]
        arrays = demand_inputs.episode_arrays()
        latest = arrays.latest_day
        if latest is None:
            raise CommandError("This council has no placement episodes: import them first.")
        data = {
            "reference_start": opts["reference_start"],
            "reference_end": opts["reference_end"],
            "start": opts["start"],
            "months": opts["months"],
            "grouping": grouping,
            "inflation": opts["inflation"],
        }
        options, errors = demand.parse_options(data, latest=latest)
        if errors:
            raise CommandError("\n".join(message for _, message in errors))
        result = demand.run(options, arrays=arrays)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        self.stdout.write(
            f"{result.stock_total} children looked after on {options.start:%d %B %Y}; "
            f"rates from {options.reference_start:%d %B %Y} to {options.reference_end:%d %B %Y}."
        )
        for g in result.costs.fallback:
            self.stdout.write(
                f"No unit cost of its own for {result.labels[g].lower()}: "
                "the council's average is used."
            )
        for m in result.months:
            self.stdout.write(
                f"{m.date:%Y-%m-%d}  {m.total:7.1f} ({m.lower:.1f} to {m.upper:.1f})  £{m.cost:,}"
            )
        for quarter, cost in projection.by_quarter(result.months):
            self.stdout.write(f"{quarter}  £{cost:,}")

    def every_council(self, opts) -> None:
        """Each council's projection from its own last day of data (a national database: a
        few seconds for each), as the Demand page would show it to that council."""
        from django.test.utils import override_settings

        from budgets.models import Council
        from placements.models import Episode

        councils = list(
            Council.objects.filter(pk__in=Episode.objects.values("council")).order_by("la_code")
        )
        if not councils:
            raise CommandError("No council has placement episodes: import them first.")
        lines = []
        with Progress(self.stdout, every=10).step(
            "Projecting", total=len(councils), unit="councils"
        ) as step:
            for council in councils:
                # The demand model reads the deployment's council (settings), as a page does.
                with override_settings(CSC_COUNCIL_LA_CODE=council.la_code):
                    arrays = demand_inputs.episode_arrays()
                    options, errors = demand.parse_options(
                        {
                            "months": opts["months"],
                            "grouping": opts["groups"],
                            "inflation": opts["inflation"],
                        },
                        latest=arrays.latest_day,
                    )
                    if errors:
                        raise CommandError("\n".join(message for _, message in errors))
                    result = demand.run(options, arrays=arrays)
                last = result.months[-1]
                cost = sum(m.cost for m in result.months)
                lines.append(
                    f"{council.la_code} {council.name}: {result.stock_total} looked after on "
                    f"{options.start:%Y-%m-%d}; {last.total:.1f} ({last.lower:.1f} to "
                    f"{last.upper:.1f}) on {last.date:%Y-%m-%d}; £{cost:,}"
                )
                step.advance()
        for line in lines:
            self.stdout.write(line)
