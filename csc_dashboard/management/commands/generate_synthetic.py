"""Generate synthetic councils for benchmarks (never for a live council's database)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.synthetic import SyntheticSpec, generate
from budgets.progress import Progress


class Command(BaseCommand):
    help = "Create N synthetic councils with Y years of budgets, placements and staffing (COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--councils", type=int, default=1)
        parser.add_argument("--years", type=int, default=2)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run with DEBUG off.")

    def handle(self, *args, councils, years, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("generate_synthetic is for benchmark databases: use --force.")
        if councils < 1 or not 1 <= years <= 20:
            raise CommandError("--councils must be at least 1 and --years from 1 to 20.")
        spec = SyntheticSpec(councils=councils, years=years, seed=seed)
        started = time.perf_counter()
        counts = generate(spec, progress=Progress(self.stdout, every=1))
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count:,}")
        self.stdout.write(f"done in {time.perf_counter() - started:.1f}s")
