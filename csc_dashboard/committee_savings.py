"""The committee's savings tables: the service's agreed savings by year, and this year's
delivery against target (totals from budgets.metrics.savings_totals, the one home of that sum)."""

from decimal import Decimal

from budgets import metrics as budget_metrics
from budgets.models import Period, Saving, Service
from csc_dashboard.committee_table import CommitteeTable

ZERO = Decimal("0")


def savings_by_year(service: Service) -> CommitteeTable:
    totals: dict[str, Decimal] = {}
    for saving in Saving.objects.filter(service=service).select_related("year"):
        totals[saving.year.label] = totals.get(saving.year.label, ZERO) + saving.target
    rows = [{"year": label, "target": amount} for label, amount in sorted(totals.items())]
    return CommitteeTable(
        "savings_by_year",
        f"{service.name}: savings by year",
        [("year", "Year", "text"), ("target", "£m", "millions")],
        rows,
        {"year": "Total", "target": sum(totals.values(), ZERO)},
    )


def savings_delivery(period: Period, service: Service) -> CommitteeTable:
    savings = list(Saving.objects.filter(service=service, year_id=period.year_id))
    return CommitteeTable(
        "savings_delivery",
        f"{service.name}: savings delivery {period.year.label}",
        [
            ("reference", "Reference", "text"),
            ("description", "Saving", "text"),
            ("target", "Target £m", "millions"),
            ("delivery", "Forecast delivery £m", "millions"),
            ("shortfall", "Shortfall £m", "millions"),
            ("rag", "RAG", "text"),
        ],
        [
            {
                "reference": s.reference,
                "description": s.description,
                "target": s.target,
                "delivery": s.forecast_delivery,
                "shortfall": s.shortfall,
                "rag": s.get_rag_display(),
            }
            for s in savings
        ],
        {
            "reference": "Total",
            "description": "",
            "target": (totals := budget_metrics.savings_totals(savings)).target,
            "delivery": totals.delivery,
            "shortfall": totals.shortfall,
            "rag": "",
        },
    )
