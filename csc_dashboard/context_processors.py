from django.conf import settings
from django.urls import reverse

from budgets.models import Council

# The header's navigation: (label, url name).
NAVIGATION = [
    ("Overview", "overview"),
    ("Budgets", "budgets:index"),
    ("Placements", "placements:index"),
    ("Workforce", "workforce:index"),
    ("Committee", "committee"),
]


def service_identity(request):
    if not request.user.is_authenticated:
        return {"service_name": settings.CSC_SERVICE_NAME, "navigation": []}
    council = Council.objects.current().only("name").first()
    navigation = []
    for label, name in NAVIGATION:
        url = reverse(name)
        navigation.append(
            {
                "label": label,
                "url": url,
                "active": request.path.startswith(url) if url != "/" else request.path == "/",
            }
        )
    return {
        "service_name": settings.CSC_SERVICE_NAME,
        "council_name": council.name if council else "No council loaded",
        "navigation": navigation,
        "period_numbers": range(1, 13),
    }
