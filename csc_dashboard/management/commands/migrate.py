"""`migrate` runs as the owner role when one is configured (DATABASE_OWNER_URL, or the embedded
server's owner): the site's own role may not create or alter tables, and the owner grants it
its privileges afterwards (csc_dashboard/db_roles.py). `--database default` still works where
one role does both."""

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand

from csc_dashboard.database import OWNER_ALIAS
from csc_dashboard.routers import migrating_on


class Command(MigrateCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        if OWNER_ALIAS in settings.DATABASES:
            parser.set_defaults(database=OWNER_ALIAS)

    def handle(self, *args, **options):
        with migrating_on(options["database"]):
            return super().handle(*args, **options)
