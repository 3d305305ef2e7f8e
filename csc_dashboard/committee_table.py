"""A committee table: typed cells with a stable key, which the Committee page renders with
django-tables2 and the exports write to XLSX, CSV, Word and PDF."""

from dataclasses import dataclass, field


@dataclass
class CommitteeTable:
    key: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, header, kind)
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    note: str = ""
    label: str = ""  # the council's own label for the table, e.g. its report's section number

    @property
    def heading(self) -> str:
        """The title, after the council's label when it has one."""
        return f"{self.label} {self.title}" if self.label else self.title

    @property
    def sheet_name(self) -> str:
        """A spreadsheet tab name (at most 31 characters, no slashes): label, then key."""
        name = f"{self.label} {self.key}" if self.label else self.key
        return name[:31].replace("/", "-")
