"""The administrator's form for choosing the committee pack: a row per committee table."""

from django import forms

from csc_dashboard.committee_pack import LABEL_MAX, TITLE_MAX, PackEntry


class PackItemForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    position = forms.IntegerField(min_value=1, max_value=999, label="Order")
    title = forms.CharField(required=False, max_length=TITLE_MAX, label="Title")
    label = forms.CharField(required=False, max_length=LABEL_MAX, label="Section label")
    show_table = forms.BooleanField(required=False, label="Table")
    show_chart = forms.BooleanField(required=False, label="Chart")


PackFormSet = forms.formset_factory(PackItemForm, extra=0, max_num=50, absolute_max=50)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=2_000_000_000, widget=forms.HiddenInput)


def entries_from(formset) -> list[PackEntry]:
    return [PackEntry(**form.cleaned_data) for form in formset.forms]
