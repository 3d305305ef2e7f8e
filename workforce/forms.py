"""The workforce pages' forms: every POST is read through one of these. Values are parsed by
budgets.numbers (the one set of number rules, whose messages the pages show); uploads are
checked for presence and size here and read by workforce.importers."""

from django import forms
from django.conf import settings

from budgets.numbers import parse_decimal, parse_name, parse_whole
from workforce.models import Scenario


class ScenarioForm(forms.Form):
    """A staffing what-if: its name, kind and the one figure the kind needs. `parameters()`
    gives what workforce.services.scenario_save stores."""

    name = forms.CharField(required=False, strip=False)
    kind = forms.CharField(required=False)
    target = forms.CharField(required=False)
    count = forms.CharField(required=False)
    percent = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        try:
            data["name"] = parse_name(
                data.get("name"), max_length=100, what="a name for the scenario"
            )
            data["parameters"] = self._parameters(data)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    @staticmethod
    def _parameters(data) -> dict:
        kind = data.get("kind")
        if kind == Scenario.Kind.AGENCY_TARGET:
            target = parse_decimal(
                data.get("target"), minimum=0, maximum=100, what="the target agency ratio"
            )
            return {"target": str(target)}
        if kind == Scenario.Kind.FILL_VACANCIES:
            count = parse_whole(
                data.get("count"), minimum=0, maximum=10_000, what="the number of vacancies"
            )
            return {"count": str(count)}
        if kind == Scenario.Kind.AGENCY_RATES:
            percent = parse_decimal(
                data.get("percent"), minimum=-100, maximum=1000, what="the change in agency rates"
            )
            return {"percent": str(percent)}
        raise ValueError("Choose the kind of scenario.")


class UploadForm(forms.Form):
    """An establishment list or a CSWW census return (`kind` = "csww")."""

    file = forms.FileField(required=False, error_messages={"invalid": "Choose a file to upload."})
    kind = forms.CharField(required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.CSC_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"{upload.name} is over the upload limit.")
        return upload

    @property
    def is_census(self) -> bool:
        return self.cleaned_data.get("kind") == "csww"
