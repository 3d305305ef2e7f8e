"""The budgets pages' tables, declared once each with django-tables2 and drawn by one GOV.UK
template (templates/budgets/_table.html: caption, th scope, row headers, a totals footer)."""

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.utils.html import format_html

from budgets.formatting import person, pounds, when

CELL = {"class": "govuk-table__cell"}
HEADER = {"class": "govuk-table__header"}
NUMERIC_CELL = {"class": "govuk-table__cell govuk-table__cell--numeric"}
NUMERIC_HEADER = {"class": "govuk-table__header govuk-table__header--numeric"}


class Column(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": HEADER, "td": CELL})
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)


class MoneyColumn(Column):
    """Pounds and pence, right-aligned; the footer is the total given to the table."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": NUMERIC_HEADER, "td": NUMERIC_CELL})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return pounds(value)


class TemplateColumn(tables.TemplateColumn):
    def __init__(self, *args, numeric=False, **kwargs):
        kwargs.setdefault(
            "attrs",
            {"th": NUMERIC_HEADER, "td": NUMERIC_CELL} if numeric else {"th": HEADER, "td": CELL},
        )
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)


class Table(tables.Table):
    """A GOV.UK table: `caption` describes it (every table has one), `row_header` names the
    column whose cells head their rows."""

    caption = ""
    row_header = ""

    class Meta:
        template_name = "budgets/_table.html"
        orderable = False
        attrs = {"class": "govuk-table"}
        row_attrs = {"class": "govuk-table__row"}


class SavingsTable(Table):
    caption = "Agreed savings and forecast delivery, £"
    row_header = "reference"
    reference = Column(footer="Total")
    description = Column(verbose_name="Saving")
    target = MoneyColumn(footer=lambda table: pounds(table.totals.target))
    forecast_delivery = MoneyColumn(
        verbose_name="Forecast delivery", footer=lambda table: pounds(table.totals.delivery)
    )
    shortfall = MoneyColumn(footer=lambda table: pounds(table.totals.shortfall))
    rag = TemplateColumn(
        '<span class="csc-rag csc-rag--{{ record.rag }}">{{ record.get_rag_display }}</span>',
        verbose_name="RAG",
    )

    class Meta(Table.Meta):
        attrs = {"class": "govuk-table csc-money-table"}
        empty_text = "No savings agreed for this year."

    def __init__(self, data, *, totals):
        super().__init__(data)
        self.totals = totals


class ForecastHistoryTable(Table):
    caption = "The year-end forecast as it stood at each period"
    row_header = "period"
    period = Column(accessor="period", verbose_name="Period")
    outturn = MoneyColumn(verbose_name="Forecast outturn")
    author = Column(accessor="author", verbose_name="Last changed by")
    commentary = Column()

    class Meta(Table.Meta):
        attrs = {"class": "govuk-table csc-money-table"}
        empty_text = "No forecasts this year."

    def render_period(self, value):
        return f"{value.number} ({value.month_name})"

    def render_author(self, value, record):
        name = value.get_full_name() or value.username
        return f"{name}, {when(record.updated_at)}"


class ChangesTable(Table):
    caption = "Every change, oldest first"
    at = Column(verbose_name="When")
    user = Column(accessor="user", verbose_name="Who", empty_values=())
    period = Column(accessor="period", verbose_name="Period", empty_values=())
    what = Column(accessor="action", verbose_name="What", empty_values=())
    old_value = Column(verbose_name="From")
    new_value = Column(verbose_name="To")
    reason = Column(verbose_name="Why")

    class Meta(Table.Meta):
        empty_text = "No changes recorded since the figures were loaded."

    def render_at(self, value):
        return when(value)

    def render_user(self, value, record):
        name = (value.get_full_name() or value.username) if value else "system"
        return f"{name} ({record.get_source_display().lower()})"

    def render_period(self, value):
        return value.number if value else ""

    def render_what(self, record):
        return f"{record.action} {record.field}"


class PeriodsTable(Table):
    caption = "Monitoring periods"
    row_header = "period"
    period = Column(accessor="pk", verbose_name="Period")
    status = TemplateColumn(
        '<strong class="govuk-tag {% if record.is_closed %}govuk-tag--grey{% else %}'
        'govuk-tag--green{% endif %}">{{ record.get_status_display }}</strong>'
    )
    # Each row's form posts back: its CSRF token comes from the page's request (the table is drawn
    # without one, so that the council's context processors do not run once per row).
    action = TemplateColumn(
        template_name="budgets/_period_action.html",
        verbose_name="Action",
        extra_context=lambda table: {"csrf_token": table.csrf_token},
    )

    def __init__(self, data, *, request):
        super().__init__(data)
        self.csrf_token = get_token(request)

    def render_period(self, record):
        return str(record)


class MonthEndTable(Table):
    caption = (
        "Each service's forecast for the period: its stage, the lines forecast of the lines "
        "budgeted this year, who is involved, and when each stage was reached"
    )
    row_header = "service"
    service = TemplateColumn(template_name="budgets/_month_end_service.html")
    stage = TemplateColumn(
        '{% include "budgets/_stage_tag.html" with stage=record.stage label=record.stage_label %}'
    )
    lines = Column(accessor="lines", verbose_name="Lines forecast", empty_values=())
    finance_officers = Column(verbose_name="Finance officers", empty_values=())
    directors = Column(empty_values=())
    submitted = Column(accessor="sign_off", empty_values=())
    returned = Column(accessor="sign_off", empty_values=())
    signed_off = Column(accessor="sign_off", verbose_name="Signed off", empty_values=())

    class Meta(Table.Meta):
        attrs = {"class": "govuk-table csc-month-end-table"}
        empty_text = "This council has no services."
        row_attrs = {
            "class": "govuk-table__row",
            "id": lambda record: f"service-{record.service.directorate.code}-{record.service.code}",
        }

    def __init__(self, data, *, period):
        super().__init__(data)
        self.period = period
        self.columns["lines"].column.attrs = {"th": NUMERIC_HEADER, "td": NUMERIC_CELL}

    def render_lines(self, record):
        return f"{record.forecast} of {record.lines}"

    def _people(self, users):
        return ", ".join(person(user) for user in users) or "None assigned"

    def render_finance_officers(self, value):
        return self._people(value)

    def render_directors(self, value):
        return self._people(value)

    def render_submitted(self, value):
        return f"{when(value.submitted_at)} by {person(value.submitted_by)}" if value else ""

    def render_returned(self, value):
        if value is None or value.returned_by is None:
            return ""
        return format_html(
            "{} by {}: {}", when(value.returned_at), person(value.returned_by), value.return_reason
        )

    def render_signed_off(self, value):
        if value is None or value.signed_off_by is None:
            return ""
        return f"{when(value.signed_off_at)} by {person(value.signed_off_by)}"
