"""The placements page's tables, declared once with django-tables2 on budgets.govuk_tables."""

import datetime

import django_tables2 as tables

from budgets.govuk_tables import TEXT, Figure, GovukTable


class AugustTable(GovukTable):
    """Children looked after at the end of August of each of six years
    (placements.selectors.lac_at_end_of_august)."""

    date = tables.Column("Date", attrs=TEXT)
    children = Figure("Children looked after")

    def __init__(self, counts: list[tuple[datetime.date, int]], day: datetime.date):
        super().__init__([{"date": f"August {d.year}", "children": n} for d, n in counts])
        self.caption = (
            f"Children looked after at the end of August, the six years to {day:%-d %B %Y}"
        )


class LacRateTable(GovukTable):
    """The council's LAC rate beside its statistical neighbours' average and England's
    (placements.selectors.lac_rate_benchmark)."""

    area = tables.Column("Area", attrs=TEXT)
    rate = Figure("Rate per 10,000", missing="not published")

    def __init__(self, comparators: dict):
        super().__init__(
            [
                {"area": "This council", "rate": comparators["council"]},
                {"area": "Statistical neighbours (average)", "rate": comparators["neighbours"]},
                {"area": "England", "rate": comparators["england"]},
            ]
        )
        year = comparators["year"]
        self.caption = "Children looked after per 10,000 children" + (
            f" on 31 March {year} (DfE)" if year else " (DfE)"
        )
