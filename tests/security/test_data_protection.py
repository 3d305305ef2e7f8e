"""No child's name, raw identifier, full birth date or postcode, and no social worker's personal
details, is stored anywhere: every model field of the project is checked by name and type."""

import re

from django.apps import apps
from django.db import models

# What must never be a column: names, full dates of birth, postcodes and addresses, raw
# identifiers (SSDA903 CHILD, UPN, NHS number, social work England number), personal
# characteristics of workers (DfE CSWW: ethnicity, gender, age).
FORBIDDEN = re.compile(
    r"(^|_)(first_?name|last_?name|surname|forename|full_?name|child_?name|dob|"
    r"date_?of_?birth|birth_?date|postcode|post_code|home_post|pl_post|address|upn|"
    r"nhs(_?number)?|swe_?no|ethnic\w*|gender|sex|religion|disab\w*)($|_)"
)
# Our own staff accounts and the council's structure legitimately carry names.
ALLOWED = {
    ("auth", "user", "first_name"),
    ("auth", "user", "last_name"),
}
OUR_APPS = {"budgets", "placements", "workforce", "csc_dashboard"}


def our_fields():
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in OUR_APPS | {"auth"}:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.concrete:
                yield app, model._meta.model_name, field


def test_no_model_field_holds_a_forbidden_personal_item():
    offending = [
        f"{app}.{model}.{field.name}"
        for app, model, field in our_fields()
        if FORBIDDEN.search(field.name.lower()) and (app, model, field.name) not in ALLOWED
    ]
    assert offending == []


def test_no_model_outside_accounts_stores_a_full_date_called_birth():
    """Children are recorded with year and month of birth only, never a DateField of birth."""
    offending = [
        f"{app}.{model}.{field.name}"
        for app, model, field in our_fields()
        if app in OUR_APPS and isinstance(field, models.DateField) and "birth" in field.name.lower()
    ]
    assert offending == []


def test_the_pattern_catches_what_it_is_meant_to():
    for name in [
        "postcode",
        "home_post",
        "child_name",
        "date_of_birth",
        "dob",
        "ethnicity",
        "swe_no",
        "upn",
        "gender",
    ]:
        assert FORBIDDEN.search(name), name
    for name in ["name", "birth_year", "birth_month", "posted_at", "code", "budget"]:
        assert not FORBIDDEN.search(name), name
