"""Building the pack runs a fixed number of queries, whatever the number of sections drawn."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Council, Service
from budgets.selectors import resolve_period
from csc_dashboard.committee_pack import build_pack, pack_entries, pack_save, pack_version

pytestmark = pytest.mark.django_db


def queries_to_build() -> int:
    council = Council.objects.current().get()
    period = resolve_period("2018/19", "6")
    services = Service.objects.filter(directorate__council=council)
    service = services.get(code="CSC")
    with CaptureQueriesContext(connection) as captured:
        build_pack(
            council=council,
            period=period,
            services=services,
            service=service,
            produced=timezone.now(),
        )
    return len(captured)


def test_building_the_pack_runs_a_fixed_number_of_queries(administrator):
    council = Council.objects.current().get()
    everything = queries_to_build()
    assert everything == 38
    entries = pack_entries(council)
    for entry in entries:
        entry.show_chart = False
    pack_save(
        user=administrator, council=council, entries=entries, based_on_version=pack_version(council)
    )
    assert queries_to_build() == everything  # charts are drawn from the tables: no queries
