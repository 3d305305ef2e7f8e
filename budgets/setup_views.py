"""The administrator's Set up page: the same steps as the setup_council, import_budgets,
import_users and start_year commands, calling the same write functions.

One-time set-password links are shown on the result page only: rendered into that one response
(never cached), never put in a message, the session, the log or the database.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from budgets.access import Role, role_required
from budgets.council_setup import (
    SetupError,
    Source,
    budget_book_import,
    council_setup,
    next_year_start,
    users_import,
    year_start,
)
from budgets.forms import CouncilForm, UploadForm, UsersUploadForm, YearForm
from budgets.models import Council, FinancialYear, ImportRecord, label_for


@never_cache
@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def setup(request):
    context = {"errors": [], "report": None, "report_kind": "", "links": []}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in {"council", "year"}:
            try:
                result = _council_or_year(request, action)
            except SetupError as exc:
                context["errors"].append((f"{action}-error", str(exc)))
            else:
                for message in result.messages:
                    messages.success(request, message)
                return redirect("budgets:setup")
        elif action in {"budgets", "users"}:
            form = (UploadForm if action == "budgets" else UsersUploadForm)(
                request.POST, request.FILES
            )
            if not form.is_valid():
                context["errors"].extend(
                    (f"{action}-{name}", message)
                    for name, messages_ in form.errors.items()
                    for message in messages_
                )
            elif action == "budgets":
                upload = form.cleaned_data["file"]
                context["report"] = budget_book_import(
                    upload,
                    file_name=upload.name,
                    user=request.user,
                    year_label=form.cleaned_data["year"],
                    source_kind=Source.IMPORT,
                )
            else:
                upload = form.cleaned_data["file"]
                context["report"] = users_import(
                    upload,
                    file_name=upload.name,
                    user=request.user,
                    resend=form.cleaned_data["resend"],
                    source_kind=Source.IMPORT,
                )
            context["report_kind"] = action
        else:
            context["errors"].append(("", "Choose one of the steps on this page."))
    council = Council.objects.current().first()
    posted = request.POST if request.method == "POST" else {}
    initial = {
        "la_code": posted.get("la_code", council.la_code if council else ""),
        "name": posted.get("name", council.name if council else ""),
        "first_year": posted.get("first_year", ""),
    }
    report = context["report"]
    failed = bool(context["errors"]) or (report is not None and not report.ok)
    return render(
        request,
        "budgets/setup.html",
        {
            **context,
            "council": council,
            "councils": Council.objects.count(),
            "years": FinancialYear.objects.order_by("-start_year")[:5],
            "next_year": label_for(upcoming) if (upcoming := next_year_start()) else "",
            "recent": ImportRecord.objects.filter(kind__in=["budgets", "users"]).select_related(
                "user"
            )[:10],
            "limit": settings.CSC_MAX_UPLOAD_BYTES,
            "link_days": settings.CSC_SET_PASSWORD_DAYS,
            "initial": initial,
        },
        status=400 if failed else 200,
    )


def _council_or_year(request, action):
    if action == "council":
        form = CouncilForm(request.POST)
        if not form.is_valid():
            raise SetupError("Give an LA code, a name and a year of at most 200 characters each.")
        return council_setup(
            user=request.user,
            la_code=form.cleaned_data["la_code"],
            name=form.cleaned_data["name"],
            year_label=form.cleaned_data["first_year"],
            source=Source.PAGE,
        )
    form = YearForm(request.POST)
    if not form.is_valid():
        raise SetupError("Give the year like 2025/26.")
    return year_start(user=request.user, year_label=form.cleaned_data["year"], source=Source.PAGE)
