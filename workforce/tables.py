"""The workforce page's tables, declared once with django-tables2 and drawn by
templates/_govuk_table.html (a caption, the first column as each row's header)."""

import django_tables2 as tables
from django.template.defaultfilters import floatformat

from budgets.govuk_tables import TEXT, Figure, GovukTable


class CaseloadTable(GovukTable):
    caption = "Average number of cases per social worker, target and actual"
    team = tables.Column("Team", attrs=TEXT)
    target = Figure("Target")
    actual = Figure("Actual")

    class Meta(GovukTable.Meta):
        empty_text = "No team has a caseload target or reported caseload for this month."

    def render_target(self, value):
        return floatformat(value, 0)


class TeamRatioTable(GovukTable):
    caption = "Agency ratio by team"
    team = tables.Column("Team", attrs=TEXT)
    ratio = Figure("Agency %")


class IndicatorTable(GovukTable):
    """The DfE's published indicators: this council, its region, England and the statistical
    neighbours' average (workforce.selectors.benchmarks rows)."""

    area = tables.Column("Area", attrs=TEXT)
    agency_rate = Figure("Agency rate %", missing="not published")
    vacancy_rate = Figure("Vacancy rate %", missing="not published")
    caseload = Figure("Caseload per FTE", missing="not published")

    def __init__(self, benchmarks: dict):
        super().__init__(benchmarks["rows"])
        year = benchmarks["year"]
        self.caption = "Published workforce indicators" + (
            f", census of 30 September {year} (DfE)" if year else " (DfE)"
        )
