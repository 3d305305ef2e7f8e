"""Every budgets page's input, parsed by a Django form: the period filter, the forecast grid,
closing and reopening periods, returning a forecast, the actuals upload and the Set up page's
steps. A form never raises on bad input: it refuses with a message the page shows (no 500).
Money goes through budgets.importing.parse_money, whole numbers through budgets.numbers."""

from django import forms
from django.conf import settings

from budgets import selectors, services
from budgets.importing import parse_money
from budgets.numbers import parse_whole

TEXT_LIMIT = 2000  # a reason or commentary longer than this is refused, not stored


class PeriodFilterForm(forms.Form):
    """?year=2024/25&period=3: both empty means the latest period with forecasts."""

    year = forms.CharField(required=False, max_length=20)
    period = forms.CharField(required=False, max_length=20)

    def period_or_none(self):
        """The period named, the latest when none is named; None for one that does not exist
        (`named` then tells the view to answer 404)."""
        if not self.is_valid():
            return None
        return selectors.resolve_period(self.cleaned_data["year"], self.cleaned_data["period"])

    @property
    def named(self) -> bool:
        return bool(self.data.get("year") or self.data.get("period"))


class PeriodActionForm(forms.Form):
    """Close a period, or reopen it with a reason (the service refuses a reopening without)."""

    period_id = forms.CharField()
    action = forms.ChoiceField(choices=[("close", "Close"), ("reopen", "Reopen")], required=False)
    reason = forms.CharField(required=False, max_length=TEXT_LIMIT)

    def clean_period_id(self) -> int:
        try:
            return parse_whole(self.cleaned_data["period_id"], minimum=1, maximum=2**62)
        except ValueError:
            raise forms.ValidationError("No such period.") from None

    def clean_action(self) -> str:
        return self.cleaned_data["action"] or "reopen"


class ReturnReasonForm(forms.Form):
    """A director's reason for returning a forecast (required by the service)."""

    reason = forms.CharField(required=False, max_length=TEXT_LIMIT)


class UploadForm(forms.Form):
    """A CSV or Excel file, and for some imports the financial year it is for."""

    # An empty file reaches the importer, which refuses it and logs the refusal.
    file = forms.FileField(
        error_messages={"required": "Choose a CSV or Excel file to upload."},
        allow_empty_file=True,
    )
    year = forms.CharField(required=False)

    def clean_year(self) -> str:
        return self.cleaned_data["year"].strip()[:20]


class UsersUploadForm(UploadForm):
    resend = forms.CharField(required=False)

    def clean_resend(self) -> bool:
        return self.cleaned_data["resend"] == "yes"


class CouncilForm(forms.Form):
    la_code = forms.CharField(required=False, max_length=200)
    name = forms.CharField(required=False, max_length=200)
    first_year = forms.CharField(required=False, max_length=200)


class YearForm(forms.Form):
    year = forms.CharField(required=False, max_length=200)


class ForecastGridForm(forms.Form):
    """The forecast grid: for each line, `outturn-<id>`, `commentary-<id>`, the figures the page
    showed (`original-<id>`, `original-commentary-<id>`) and the version it showed
    (`version-<id>`). `changes` are the lines the officer changed, as services.ForecastChange;
    each problem is an error on its input, in the grid's order, and `posted` keeps what was typed
    so the page can show it again."""

    def __init__(self, data, rows):
        super().__init__(data)
        self.rows = rows
        self.changes: list[services.ForecastChange] = []
        self.posted: dict[int, dict] = {}
        for row in rows:
            key = row.line.pk
            self.fields[f"outturn-{key}"] = forms.CharField(required=False, strip=True)
            self.fields[f"commentary-{key}"] = forms.CharField(required=False, strip=True)

    def clean(self):
        data = self.data
        for row in self.rows:
            key = row.line.pk
            raw = (data.get(f"outturn-{key}") or "").strip()
            commentary = (data.get(f"commentary-{key}") or "").strip()
            self.posted[key] = {"outturn": raw, "commentary": commentary}
            if same_amount(raw, data.get(f"original-{key}", "")) and commentary == data.get(
                f"original-commentary-{key}", ""
            ):
                continue
            try:
                outturn = parse_money(raw)
            except ValueError:
                self.add_error(
                    f"outturn-{key}",
                    f"{row.line.code}: enter the forecast in pounds, like 1250000 or 1,250,000.00",
                )
                continue
            version = data.get(f"version-{key}", "")
            if services.commentary_needed(outturn=outturn, previous=row.previous) and not (
                commentary
            ):
                self.add_error(
                    f"commentary-{key}",
                    f"{row.line.code}: explain why the forecast moved by more than "
                    f"£{settings.CSC_COMMENTARY_THRESHOLD:,.0f}",
                )
                continue
            self.changes.append(
                services.ForecastChange(
                    row.line, outturn, commentary, int(version) if version.isdigit() else None
                )
            )
        return self.cleaned_data

    def error_list(self) -> list[tuple[str, str]]:
        """(input id, message) for the page's error summary, in the grid's order."""
        return [
            ("" if name == forms.forms.NON_FIELD_ERRORS else name, message)
            for name, messages in self.errors.items()
            for message in messages
        ]


def same_amount(typed: str, original: str) -> bool:
    """Whether the figure in the input is still the one the page showed. The input shows it
    with thousands separators (`1,250,000.00`) and the hidden original without, so the two are
    compared as amounts."""
    if typed == original:
        return True
    try:
        return parse_money(typed) == parse_money(original)
    except ValueError:
        return False
