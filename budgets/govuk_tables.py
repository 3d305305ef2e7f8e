"""The base of every django-tables2 table of the pages: GOV.UK markup (templates/_govuk_table.html:
a caption, header cells with scope, the first column as each row's header), not sortable (the
order is the data's), and a numeric column that shows a word where a figure is missing. Each
app declares its tables in its own tables.py on this base."""

import django_tables2 as tables

NUMERIC = {
    "th": {"class": "govuk-table__header govuk-table__header--numeric"},
    "td": {"class": "govuk-table__cell govuk-table__cell--numeric"},
}
TEXT = {"th": {"class": "govuk-table__header"}}


class GovukTable(tables.Table):
    """Not sortable (the order is the data's), rendered in the GOV.UK markup."""

    caption = ""

    class Meta:
        template_name = "_govuk_table.html"
        orderable = False

    def __init__(self, *args, **kwargs):
        # django-tables2 reads Meta from the class itself only: a subclass without a Meta of
        # its own would draw with the default template, so the base sets both here.
        kwargs.setdefault("template_name", "_govuk_table.html")
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)


class Figure(tables.Column):
    """A number, or `missing` when there is none."""

    def __init__(self, *args, missing="-", **kwargs):
        kwargs.setdefault("attrs", NUMERIC)
        kwargs.setdefault("default", missing)
        super().__init__(*args, **kwargs)
