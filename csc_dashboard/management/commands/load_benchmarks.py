"""Load the DfE benchmarking statistics (shipped in fixtures/dfe/) in one go."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budgets.reference import (
    LAIT_FILE,
    SN_FILE,
    ReferenceDataError,
    load_dfe_figures,
    load_statistical_neighbours,
)
from placements.benchmarks import lac_rates_from_lait
from placements.importers import load_lac_benchmarks
from workforce.importers import load_workforce_benchmarks

DEFAULT_DIR = settings.BASE_DIR / "fixtures" / "dfe"


class Command(BaseCommand):
    help = (
        "Load DfE reference data from DIR (default fixtures/dfe): statistical neighbours, "
        "LAC rates and population, the social work workforce indicators, and the LAIT extract "
        "(earlier years' LAC rates, Section 251 unit costs and spend, workforce rates)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DEFAULT_DIR))

    def handle(self, *args, directory: str, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        try:
            with transaction.atomic():
                count = load_statistical_neighbours(folder / SN_FILE)
                self.stdout.write(f"Statistical neighbours: {count} authorities.")
                rates, people = load_lac_benchmarks(folder)
                self.stdout.write(f"LAC rates: {rates} rows; population: {people} rows.")
                indicators = load_workforce_benchmarks(folder)
                self.stdout.write(f"Workforce indicators: {indicators} rows.")
                created, updated = load_dfe_figures(folder / LAIT_FILE)
                self.stdout.write(f"LAIT figures: {created} new, {updated} changed.")
                earlier = lac_rates_from_lait()
                self.stdout.write(f"LAC rates from LAIT for earlier years: {earlier} rows.")
        except (ReferenceDataError, FileNotFoundError, KeyError, ValueError) as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Benchmarks loaded."))
