"""Build the demo council "Lewisham (demo)" from the committee report's own figures."""

import os
import tomllib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budgets.access import Role
from budgets.demo import load_budget_demo
from budgets.models import AuditEntry, Service
from csc_dashboard.committee_pack import PackEntry, pack_save, pack_version
from placements.demo import load_placements_demo
from workforce.demo import load_workforce_demo

FIGURES = settings.BASE_DIR / "fixtures" / "lewisham_report.toml"
PACK = settings.BASE_DIR / "fixtures" / "demo_committee_pack.toml"
# Documented in the README; only ever used for the demo, which refuses to run in production.
DEFAULT_DEMO_PASSWORD = "Lewisham-demo-2018"  # noqa: S105

DEMO_USERS = [
    # username, role, full name
    ("finance", Role.FINANCE_OFFICER, "Fiona Finance"),
    ("scrutiny", Role.SCRUTINY_MEMBER, "Cllr Sam Scrutiny"),
    ("director", Role.DIRECTOR, "Dee Director"),
    ("admin", Role.ADMINISTRATOR, "Ada Administrator"),
]


def load_figures() -> dict:
    with open(FIGURES, "rb") as handle:
        return tomllib.load(handle)


class Command(BaseCommand):
    help = "Load the demo council from the committee report's figures (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo users with a known password would be created).",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with a known password: it refuses to run with DEBUG off. "
                "Use --force if this really is a demo server."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        figures = load_figures()
        with transaction.atomic():
            users = self.create_users(password)
            council = load_budget_demo(figures, author=users["finance"])
            Service.objects.get(directorate__council=council, code="CSC").finance_officers.add(
                users["finance"]
            )
            # The demo director signs off every directorate of the demo council.
            for directorate in council.directorates.all():
                directorate.directors.add(users["director"])
            load_placements_demo(figures, council)
            load_workforce_demo(figures)
            self.save_pack(council, users["admin"])
            # The comparators the dashboards set the council against (DfE, fixtures/dfe/).
            call_command("load_benchmarks", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {council.name}: users {', '.join(users)} "
                f"(password from DEMO_PASSWORD, or the documented default)."
            )
        )

    def save_pack(self, council, admin) -> None:
        """The report's order and section labels, saved as an administrator would."""
        with open(PACK, "rb") as handle:
            sections = tomllib.load(handle)["sections"]
        entries = [
            PackEntry(s["key"], i, label=s["label"], show_chart=s["chart"])
            for i, s in enumerate(sections, start=1)
        ]
        pack_save(
            user=admin,
            council=council,
            entries=entries,
            based_on_version=pack_version(council),
            source=AuditEntry.Source.COMMAND,
        )

    def create_users(self, password: str) -> dict:
        User = get_user_model()
        users = {}
        for username, role, full_name in DEMO_USERS:
            first, last = full_name.rsplit(" ", 1)
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_active": True,
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                },
            )
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        return users
