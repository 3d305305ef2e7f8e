"""Dependencies point one way: csc_dashboard → placements, workforce → budgets
(docs/architecture.md, "The layers"). `budgets` is the lowest layer, so it may import none of the
others. The full set of layers is enforced by the import-linter contracts in pyproject.toml, which
`make test` runs; this test keeps the most important one inside the suite as well."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ABOVE_BUDGETS = {"csc_dashboard", "placements", "workforce"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_budgets_imports_no_app_above_it():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & ABOVE_BUDGETS)
        for path in (ROOT / "budgets").rglob("*.py")
        if imported_packages(path) & ABOVE_BUDGETS
    }
    assert offenders == {}
