"""Product code never names the demo council: every page must work for a council it has never
seen, so nothing may look for the demo's codes, names, years or report section numbers.

The forbidden tokens come from the demo's own figures, fixtures/lewisham_report.toml, so this
test follows the fixture. Scanned: every .py, .html, .js, .scss and .css file under the product's
folders (PRODUCT_FOLDERS), except migrations and the demo loaders (DEMO_LOADERS), which exist to
build the demo. Tests, fixtures and bench scripts may use the demo.

How each kind of token is matched, so that the product's own words do not count:

- The council's name (its words before any bracket, e.g. the town's name): anywhere, in any
  case, even inside a longer word or file name.
- Its LA code: as a whole number (not part of a longer number).
- Directorate and service codes: case-sensitive, as whole words, where a letter, digit or `_`
  on either side makes it part of something else. So the settings `CSC_COUNCIL_LA_CODE`, the
  package `csc_dashboard` and CSS classes like `csc-header` do not count, while `"CSC"`,
  `'CYP'`, a URL like `/budgets/CYP/CSC/` or a docstring that says `CSC` do. The product is
  called "CSC Budget Monitor" (settings.CSC_SERVICE_NAME): that name is removed from the text
  before matching. A code that is also an SQL keyword (`ASC`) counts only as a whole string
  literal (`"ASC"`), since SQL text says `ORDER BY ... ASC`.
- Team names: a name of several words anywhere (with `&` also as `&amp;`); a one-word name
  (a common word such as "Fostering") only as a whole string literal or as the whole text of an
  HTML element, since the word itself is part of the domain ("in-house fostering").
- Years: every year the fixture covers (the financial years it monitors and its savings
  history, the end-of-August and population years), as a whole number: `_` counts as part of a
  word, so a DfE file name such as `csww_indicators_2017_to_2025.csv` does not count. Examples
  in docstrings and messages use other years (2024/25).
- The report's section numbers (the demo's committee labels): a dotted one (`10.4`) as a whole
  token; any of them after "section", "table" or "appendix" ("section 9", "Appendix 1").
"""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FIXTURE = ROOT / "fixtures" / "lewisham_report.toml"
PRODUCT_FOLDERS = [
    "budgets",
    "placements",
    "workforce",
    "csc_dashboard",
    "templates",
    "static/src",
    "static/js",
    "static/css",
]
SUFFIXES = {".py", ".html", ".js", ".scss", ".css"}
DEMO_LOADERS = {
    "budgets/demo.py",
    "placements/demo.py",
    "workforce/demo.py",
    "csc_dashboard/management/commands/load_demo.py",
}
SQL_KEYWORDS = {"ASC", "DESC", "AND", "OR", "NOT", "IN", "ON", "AS", "BY", "SET"}
YEAR_LABEL = re.compile(r"^(\d{4})/\d{2}$")


def product_files() -> list[Path]:
    files = []
    for folder in PRODUCT_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if (
                path.suffix in SUFFIXES
                and "migrations" not in path.parts
                and "__pycache__" not in path.parts
                and relative not in DEMO_LOADERS
            ):
                files.append(path)
    return files


def _literal(text: str) -> str:
    """A whole string literal: the text in single or double quotes."""
    return rf"""(?<![\w])(["']){re.escape(text)}\1"""


def forbidden_patterns(figures: dict) -> dict[str, re.Pattern]:
    """What the demo is called, as {description: pattern}."""
    patterns: dict[str, re.Pattern] = {}
    council = figures["council"]
    town = council["name"].split("(")[0].strip()
    patterns[f"the demo council's name {town!r}"] = re.compile(re.escape(town), re.IGNORECASE)
    code = council["la_code"]
    patterns[f"the demo's LA code {code}"] = re.compile(rf"(?<![\d.]){re.escape(code)}(?!\d)")

    codes = {d["code"] for d in figures["directorates"]} | {s["code"] for s in figures["services"]}
    for code in sorted(codes):
        if code in SQL_KEYWORDS:
            pattern = _literal(code)
        else:
            pattern = rf"(?<![A-Za-z0-9_]){re.escape(code)}(?![A-Za-z0-9_])"
        patterns[f"the demo's directorate or service code {code!r}"] = re.compile(pattern)

    for team, *_figures in figures["workforce"]["caseloads"]:
        if " " in team:
            spellings = {team, team.replace("&", "&amp;")}
            pattern = "|".join(re.escape(s) for s in spellings)
        else:
            pattern = rf"{_literal(team)}|>\s*{re.escape(team)}\s*<"
        patterns[f"the demo's team name {team!r}"] = re.compile(pattern)

    years: set[int] = set()
    labels = [*figures["years"]["monitoring"], figures["years"]["savings_from"]]
    labels += [row[0] for row in figures["savings"]["rows"]]
    for label in labels:
        years.add(int(YEAR_LABEL.match(label).group(1)))
    years |= {int(year) for year in figures["placements"]["lac_august"]}
    years |= {int(year) for year in figures["demand"]["population"]}
    for year in sorted(years):
        patterns[f"the demo's year {year}"] = re.compile(rf"(?<![\w]){year}(?![\w])")

    for key, label in council["committee_labels"].items():
        number = label.split()[-1]
        words = r"(?:section|table|appendix)\s+"
        pattern = rf"(?i:{words}){re.escape(number)}(?![\w])"
        if "." in number:
            pattern += rf"|(?<![\w.]){re.escape(number)}(?![\w]|\.\d)"
        patterns[f"the demo report's section number {label!r} ({key})"] = re.compile(pattern)
    return patterns


def load_figures() -> dict:
    with open(FIXTURE, "rb") as handle:
        return tomllib.load(handle)


def findings(text: str, patterns: dict[str, re.Pattern]) -> list[str]:
    """Each forbidden token in `text`, as `line N: what (the line)`."""
    text = text.replace(settings.CSC_SERVICE_NAME, "")
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in patterns.items():
            if pattern.search(line):
                found.append(f"line {number}: {what}: {line.strip()[:100]}")
    return found


def test_product_code_never_names_the_demo():
    patterns = forbidden_patterns(load_figures())
    problems = []
    files = product_files()
    assert len(files) > 50  # the scan really reads the product
    for path in files:
        for finding in findings(path.read_text(encoding="utf-8"), patterns):
            problems.append(f"{path.relative_to(ROOT)} {finding}")
    assert not problems, "Product code names the demo:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        'code = request.GET.get("service") or "CSC"',
        "if service.code != 'CSC':",
        '"/budgets/CYP/CSC/?year=2024/25"',
        "    scope: a directorate code (`CYP`)",
        "AUGUST_YEARS = range(2013, 2019)",
        '<a href="?date=2017-09-30">As at 30 September 2017</a>',
        "labelled like `2018/19`",
        'if r["team"] == "Fostering"',
        "<th>Referral &amp; Assessment</th>",
        "la_code = '209'",
        "The committee report's table 10.4",
        '"Appendix 1"',
        "# see report section 9",
        "Lewisham's agency rate",
        'FIGURES = "lewisham_report.toml"',
        'ORDER = "ASC"',
    ],
)
def test_each_kind_of_demo_token_is_found(text):
    assert findings(text, forbidden_patterns(load_figures()))


@pytest.mark.parametrize(
    "text",
    [
        "CSC_COUNCIL_LA_CODE = env('CSC_COUNCIL_LA_CODE')",
        "from csc_dashboard import committee",
        '<span class="csc-header__service">',
        "<title>Sorry – CSC Budget Monitor</title>",
        'open(folder / "csww_indicators_2017_to_2025.csv")',
        "SELECT month_end FROM months ORDER BY 1 ASC",
        "In-house fostering and Fostering agencies",
        "labelled like `2024/25`",
        "section_251_line = '3.1.2'",
        "Section 251 outturn line",
        "la_code = '210'",
    ],
)
def test_the_products_own_words_are_not_taken_for_the_demo(text):
    assert findings(text, forbidden_patterns(load_figures())) == []
