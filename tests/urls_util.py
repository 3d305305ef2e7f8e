"""Every URL pattern of the project, with sample arguments, so access tests cover new pages."""

from django.urls import URLPattern, URLResolver, get_resolver

# Sample values for the path converters our own patterns use.
SAMPLE_KWARGS = {
    "directorate": "CYP",
    "service": "CSC",
    "action": "submit",
    "code": "CSC-STF-RA",
    "key": "budget_by_area",
    "fmt": "csv",
    "uidb64": "MQ",
    "token": "not-a-token",
}


def project_urls():
    """(name, url) for each of our own URL patterns; the admin is tested through its index."""
    found = []

    def walk(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    found.append(("admin:index", "/admin/"))
                    continue
                ns = entry.namespace or namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                for key, value in SAMPLE_KWARGS.items():
                    route = route.replace(f"<str:{key}>", value)
                assert "<" not in route, f"add a sample value for {route} to SAMPLE_KWARGS"
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.append((name, "/" + route))

    walk(get_resolver().url_patterns)
    return found
