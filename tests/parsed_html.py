"""A page's HTML parsed into elements (standard library only), so that tests find a table by its
caption and a row by its header instead of cutting the markup with `.split()`.

    page = parse(response.content)
    table = page.table("at the end of August")
    assert table.rows()[1] == ["August 2023", "2"]
    assert "3 of 3" in page.find("tr", id="service-CFS-SCF").text()
    ifa = page.find("table", id="forecast-grid").record("CSC-PLC-IFA")
    assert ifa["Demand model"] == pounds(figure)
"""

from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent=None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>{self.text()[:60]!r}"

    def text(self) -> str:
        """The text inside, with runs of whitespace made one space."""
        parts = []

        def walk(node):
            for child in node.children:
                parts.append(child) if isinstance(child, str) else walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, *, id=None, class_=None, text=None) -> list["Element"]:
        """Descendants with this tag, id, class and text (a substring of their text)."""
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (id is None or e.attrs.get("id") == id)
            and (class_ is None or class_ in e.classes())
            and (text is None or text in e.text())
        ]

    def find(self, tag=None, **conditions) -> "Element":
        """The first match; fails the test, saying what was looked for, when there is none."""
        found = self.find_all(tag, **conditions)
        assert found, f"no <{tag or '*'}> with {conditions} in {self!r}"
        return found[0]

    def table(self, caption: str) -> "Element":
        """The table whose caption contains `caption`."""
        return self.find("caption", text=caption).parent

    def cells(self) -> list[str]:
        """A row's header and data cells, as text, in order."""
        return [c.text() for c in self.children if isinstance(c, Element) and c.tag in {"th", "td"}]

    def rows(self) -> list[list[str]]:
        """Every row of a table (head and body), as lists of cell texts."""
        return [row.cells() for row in self.find_all("tr")]

    def row(self, header: str) -> list[str]:
        """The cells of the first row whose first cell's text is `header`."""
        for cells in self.rows():
            if cells and cells[0] == header:
                return cells
        raise AssertionError(f"no row headed {header!r} in {self!r}")

    def record(self, header: str) -> dict[str, str]:
        """A table's one row whose first cell contains `header`, keyed by the column headers of the
        table's first row: a figure found by its row and column, as a reader finds it. Fails when
        no row or more than one matches, or when the row's cells do not line up with the head."""
        head, *body = self.rows()
        matches = [cells for cells in body if cells and header in cells[0]]
        assert len(matches) == 1, f"{len(matches)} rows headed {header!r} in {self!r}"
        [cells] = matches
        assert len(cells) == len(head), f"row {cells} does not line up with the head {head}"
        return dict(zip(head, cells, strict=True))


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # a stray end tag closes nothing
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root
