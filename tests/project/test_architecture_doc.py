"""docs/architecture.md names, for each number on the overview, children looked after and agency
pages, the one function that computes it. Every dotted name in backticks in that section must
still resolve (a module, then attributes of it), so a rename or a move cannot leave the document
pointing at something that no longer exists."""

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
SECTION = "## Where each number comes from"
PAGES = ("### Overview", "### Children looked after", "### Agency workers")
DOTTED = re.compile(r"`([a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def names_in(text: str) -> list[str]:
    return DOTTED.findall(text)


def resolve(name: str):
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(name)


NUMBERS = section(DOC.read_text(), SECTION)


@pytest.mark.parametrize("heading", PAGES)
def test_each_page_has_its_numbers_named(heading):
    assert len(names_in(section(NUMBERS, heading))) >= 5


@pytest.mark.parametrize("name", sorted(set(names_in(NUMBERS))))
def test_each_function_named_exists(name):
    target = resolve(name)
    assert callable(target) or isinstance(target, property), f"{name} is not a function"


def test_a_stale_name_would_be_caught():
    assert names_in("see `budgets.metrics.variance`, not budgets.x") == ["budgets.metrics.variance"]
    with pytest.raises(AttributeError):
        resolve("budgets.metrics.no_such_function")
    with pytest.raises(ModuleNotFoundError):
        resolve("no_such_package.module.function")
