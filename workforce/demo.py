"""The Children's Social Care establishment of the committee report (section 9.1):
353 FTE in post at August 2018, 31.7% of them agency workers, the caseloads of 9.1.3, and a
monthly history from April 2017 in which agency use grows to that level. Posts, costs and dates
are invented, deterministically; the report's figures come out exactly."""

import datetime
from decimal import Decimal

from django.db import transaction

from budgets.models import BudgetLine, Service
from workforce.models import Filling, Post, Team, TeamCaseload

TEAMS = [
    # name (the report's 9.1.3 rows), staffing line, social work, share of posts
    ("Referral & Assessment", "CSC-STF-RA", True, 80),
    ("Family Social Work Service", "CSC-STF-FSW", True, 110),
    ("Fostering", "CSC-STF-FOS", True, 40),
    ("Social workers within LAC/Leaving Care", "CSC-STF-LAC", True, 60),
    ("Personal Advisors within LAC/Leaving Care", "CSC-STF-LAC", True, 30),
    ("Management and business support", "CSC-STF-MGT", False, 54),
]
START = datetime.date(2016, 4, 1)
EARLY_AGENCY = 60  # agency workers in post since April 2016; the rest arrive month by month
AUGUST_2018 = datetime.date(2018, 8, 1)
# Case-holding FTE for the teams whose caseload the report gives (cases = caseload × FTE).
CASE_HOLDERS = {
    "Referral & Assessment": Decimal("20"),
    "Social workers within LAC/Leaving Care": Decimal("16"),
}


def fte_plan(total: Decimal, agency_percent: Decimal) -> tuple[list, list]:
    """FTE of each agency and permanent filling: `total` FTE of which `agency_percent` agency.
    Whole-time posts, with one part-time filling each to land on the exact figures."""
    agency = (total * agency_percent / 100).quantize(Decimal("0.1"))
    permanent = total - agency
    agency_fte = [Decimal("1")] * int(agency) + ([agency % 1] if agency % 1 else [])
    whole = int(permanent) - 1
    rest = permanent - whole
    permanent_fte = [Decimal("1")] * whole + [rest / 2, rest / 2]
    return agency_fte, permanent_fte


@transaction.atomic
def load_workforce_demo(figures: dict) -> int:
    spec = figures["workforce"]
    csc = Service.objects.get(code="CSC")
    targets = {name: target for name, target, _ in spec["caseloads"]}
    teams = []
    for name, line, social, share in TEAMS:
        target = targets.get(name)
        team, _ = Team.objects.update_or_create(
            service=csc,
            name=name,
            defaults={
                "caseload_target": None if target in (None, "-") else Decimal(target),
                "line": BudgetLine.objects.get(code=line),
            },
        )
        teams.append((team, social, share))
    agency_fte, permanent_fte = fte_plan(
        Decimal(spec["fte_august_2018"]), Decimal(spec["agency_percent"])
    )
    kinds = [("agency", f) for f in agency_fte] + [("permanent", f) for f in permanent_fte]
    kinds += [("vacant", Decimal("1"))] * 20
    slots = [t for t, social, share in teams for _ in range(share)]
    # Interleave the teams so each has agency, permanent and vacant posts.
    slots = [slots[(i * 7) % len(slots)] for i in range(len(slots))]
    low, high = (Decimal(p) for p in spec["agency_premium_percent"])
    agency_index = 0
    late_joiners = len(agency_fte) - EARLY_AGENCY
    for number, ((status, fte), team) in enumerate(zip(kinds, slots, strict=True), start=1):
        social = next(s for t, s, _ in teams if t == team)
        budget = Decimal("50000") if social else Decimal("32000")
        post, _ = Post.objects.update_or_create(
            reference=f"CSC-{number:04d}",
            defaults={
                "team": team,
                "title": "Social worker" if social else "Business support",
                "grade": "PO3" if social else "SO1",
                "fte": Decimal("1"),
                "budgeted_cost": budget,
                "social_work": social,
            },
        )
        if status == "agency":
            # Premiums spread from 5% to 16% of the permanent cost (report 9.1.2).
            step = (high - low) * agency_index / max(len(agency_fte) - 1, 1)
            cost = (budget * fte * (1 + (low + step) / 100)).quantize(Decimal("0.01"))
            if agency_index < EARLY_AGENCY:
                switch = START
            else:
                months = (agency_index - EARLY_AGENCY) * 15 // max(late_joiners - 1, 1)
                # one post after another from May 2017 to August 2018
                switch = datetime.date(2017 + (4 + months) // 12, (4 + months) % 12 + 1, 1)
            agency_index += 1
            if switch > START:
                _filling(post, START, switch, "permanent", fte, budget * fte)
            _filling(post, switch, None, "agency", fte, cost)
        elif status == "permanent":
            _filling(post, START, None, "permanent", fte, budget * fte)
        else:
            _filling(post, START, None, "vacant", Decimal("1"), Decimal("0"))
    for team, _social, _share in teams:
        holders = CASE_HOLDERS.get(team.name)
        actual = next((a for n, _t, a in spec["caseloads"] if n == team.name), "-")
        if holders is not None and actual != "-":
            TeamCaseload.objects.update_or_create(
                team=team,
                month=AUGUST_2018,
                defaults={"cases": int(holders * actual), "case_holding_fte": holders},
            )
        elif any(n == team.name for n, _t, _a in spec["caseloads"]):
            # The report lists the team with no figure: a record with no cases says so.
            TeamCaseload.objects.update_or_create(
                team=team, month=AUGUST_2018, defaults={"cases": None, "case_holding_fte": None}
            )
    return len(kinds)


def _filling(post, start, end, status, fte, cost) -> None:
    Filling.objects.update_or_create(
        post=post,
        start=start,
        defaults={
            "end": end,
            "status": status,
            "fte": fte,
            "annual_cost": Decimal(cost).quantize(Decimal("0.01")),
        },
    )
