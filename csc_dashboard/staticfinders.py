"""Expose single vendor files to the static-files system, without whole package folders.

plotly.min.js ships inside the plotly pip package next to a 5 MB widget bundle and sample data,
and GOV.UK Frontend's dist/ folder is 9 MB: we serve the one file we need from each.
"""

from pathlib import Path

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


def vendor_files() -> dict[str, Path]:
    govuk = Path(settings.CSC_NODE_MODULES) / "govuk-frontend" / "dist" / "govuk"
    return {
        "vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
        "vendor/govuk-frontend.min.js": govuk / "govuk-frontend.min.js",
    }


class VendorFileFinder(BaseFinder):
    def check(self, **kwargs):
        return [
            Error(f"Vendor static file {path} is missing.", hint="Run `make install`.")
            for path in vendor_files().values()
            if not path.exists()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = vendor_files().get(path)
        if source is None or not source.exists():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for name, source in vendor_files().items():
            if source.exists():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(name).parent)
                yield source.name, storage
