"""The committee pack as a PDF, drawn by WeasyPrint from an HTML template.

WeasyPrint is well kept, pure Python over Pango (which Debian ships), and needs no browser and no
network: the charts are inline SVG (so they stay vectors in the PDF) and the stylesheet is in
the template, and the URL fetcher refuses every outside resource, so a pack renders the same on
a council server cut off from the internet. Page numbers and the date produced are CSS @page
margin boxes.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from csc_dashboard.committee_export import shown
from csc_dashboard.committee_pack import Pack
from csc_dashboard.committee_render import svg


class NoFetching(Exception):
    pass


def refuse(url: str, *args, **kwargs):
    raise NoFetching(f"The committee pack loads nothing from outside: {url[:80]}")


def drawn(pack: Pack) -> list[dict]:
    """Each section with its chart as inline SVG and its cells as the report writes them."""
    return [
        {
            "section": section,
            # matplotlib's own SVG: it escapes the text it writes, and comments are removed.
            "svg": mark_safe(svg(section.chart)) if section.chart else None,  # noqa: S308
            "cells": shown(section.table),
        }
        for section in pack.sections
    ]


def pack_html(pack: Pack) -> str:
    return render_to_string("committee/pdf.html", {"pack": pack, "sections": drawn(pack)})


def pack_pdf(pack: Pack) -> bytes:
    from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango

    return HTML(string=pack_html(pack), url_fetcher=refuse, base_url=None).write_pdf()
