"""The placements pages' forms: every POST is read through one of these. Values are parsed by
budgets.numbers (the one set of number rules, whose messages the pages show) and demand
scenarios by placements.demand_scenarios; uploads are checked for presence and size here and
read by placements.importers."""

from django import forms
from django.conf import settings

from budgets.numbers import parse_decimal, parse_name, parse_whole
from placements import demand_inputs, demand_scenarios
from placements.categories import CostCategory

# How many rows of rate changes the demand scenario form offers.
DEMAND_FORM_ROWS = 3
DEMAND_KEYS = ("from", "to", "factor", "addition")


class ScenarioForm(forms.Form):
    """A placements what-if: its name, kind and what the kind needs. `cleaned_data` gives
    `name` and `parameters`, what placements.services.scenario_save stores."""

    name = forms.CharField(required=False, strip=False)
    kind = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        try:
            data["name"] = parse_name(
                self.data.get("name"), max_length=100, what="a name for the scenario"
            )
            data["parameters"] = self._parameters(data.get("kind") or "", self.data)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    @staticmethod
    def _parameters(kind: str, data) -> dict:
        categories = set(CostCategory.values)
        if kind == "move":
            children = parse_whole(
                data.get("children") or "0",
                minimum=0,
                maximum=10_000,
                what="the number of children",
            )
            percentage = parse_decimal(
                data.get("percentage") or "0",
                minimum=0,
                maximum=100,
                what="the percentage of children",
            )
            params = {
                "from": data.get("from", ""),
                "to": data.get("to", ""),
                "children": str(children),
                "percentage": str(percentage),
            }
            if {params["from"], params["to"]} - categories or params["from"] == params["to"]:
                raise ValueError("Choose two different categories.")
            return params
        if kind == "unit_cost":
            category = data.get("category") or data.get("from", "")
            percentage = parse_decimal(
                data.get("percentage"),
                minimum=-100,
                maximum=1000,
                what="the change in unit cost",
            )
            if category not in categories:
                raise ValueError("Choose a category.")
            return {"category": category, "percentage": str(percentage)}
        if kind == "lac_rate":
            comparator = data.get("comparator")
            if comparator not in {"neighbours", "england"}:
                raise ValueError("Choose statistical neighbours or England.")
            return {"comparator": comparator}
        if kind == "demand":
            return demand_scenarios.parse_parameters(demand_parameters(data)).as_json()
        raise ValueError("Choose the kind of scenario.")


def demand_parameters(data) -> dict:
    """The form's rows of rate changes, as a demand scenario's parameters (blank rows left
    out); demand_scenarios.parse_parameters checks them."""
    changes = []
    for n in range(1, DEMAND_FORM_ROWS + 1):
        row = {key: (data.get(f"change-{key}-{n}") or "").strip() for key in DEMAND_KEYS}
        if any(row.values()):
            changes.append({k: v for k, v in row.items() if v})
    return {"grouping": demand_inputs.COST, "adjustments": changes}


class EpisodesUploadForm(forms.Form):
    """SSDA903 episodes (one file or several yearly returns), with optional header and UASC
    files. `files_read()` gives each field's (name, bytes) pairs for episodes_import."""

    FIELDS = ("episodes", "header", "uasc")

    def clean(self):
        data = super().clean()
        chosen = {key: self.files.getlist(key) for key in self.FIELDS}
        if not chosen["episodes"]:
            raise forms.ValidationError("Choose the SSDA903 episodes file.", code="missing")
        too_large = [
            f.name
            for files in chosen.values()
            for f in files
            if f.size > settings.CSC_MAX_UPLOAD_BYTES
        ]
        if too_large:
            raise forms.ValidationError(f"{too_large[0]} is over the upload limit.", code="size")
        data["chosen"] = chosen
        return data

    def files_read(self) -> dict[str, list[tuple[str, bytes]]]:
        return {
            key: [(f.name, f.read()) for f in files]
            for key, files in self.cleaned_data["chosen"].items()
        }
