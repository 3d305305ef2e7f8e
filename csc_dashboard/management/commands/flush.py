"""`flush` (used by the test suite between live-server tests) empties every table with TRUNCATE,
which only the owner may do: for the default database it runs the statements through a
connection of the owner role when one is configured, and is Django's own flush otherwise."""

from django.conf import settings
from django.core.management.commands.flush import Command as FlushCommand
from django.core.management.sql import emit_post_migrate_signal, sql_flush
from django.db import DEFAULT_DB_ALIAS, connections

from csc_dashboard.database import OWNER_ALIAS


class Command(FlushCommand):
    def handle(self, **options):
        database = options["database"]
        if database != DEFAULT_DB_ALIAS or OWNER_ALIAS not in settings.DATABASES:
            return super().handle(**options)
        if options["interactive"]:
            return super().handle(**options)  # asks first; then refused as the site's role
        connection = connections[database]
        statements = sql_flush(
            self.style,
            connection,
            reset_sequences=options["reset_sequences"],
            allow_cascade=options["allow_cascade"],
        )
        if statements:
            # A connection of its own (the test runner allows only the aliases a test uses),
            # as the owner, to the database "default" uses now (the test database in tests).
            owner_settings = {
                **connections.settings[OWNER_ALIAS],
                "NAME": connection.settings_dict["NAME"],
            }
            owner = type(connection)(owner_settings, alias="__owner_flush__")
            try:
                with owner.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
            finally:
                owner.close()
            if not options["inhibit_post_migrate"]:
                emit_post_migrate_signal(options["verbosity"], False, database)
