"""Role changes made in the admin reach the audit trail, whichever admin page makes them. (Forecast,
budget, period, sign-off and service-assignment entries are tested beside their features.)"""

import pytest
from django.contrib.auth.models import Group

from budgets.models import AuditEntry, Saving

pytestmark = pytest.mark.django_db


def test_renaming_a_role_in_the_admin_is_audited(client_for, administrator):
    group = Group.objects.get(name="Scrutiny member")
    response = client_for(administrator).post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "Scrutiny", "permissions": []}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="auth.Group", field="name")
    assert (entry.user, entry.source, entry.old_value, entry.new_value) == (
        administrator,
        "admin",
        "Scrutiny member",
        "Scrutiny",
    )


def test_deactivating_a_user_in_the_admin_is_audited(client_for, administrator, scrutiny):
    data = {
        "username": scrutiny.username,
        "first_name": scrutiny.first_name,
        "last_name": scrutiny.last_name,
        "email": scrutiny.email,
        "groups": list(scrutiny.groups.values_list("pk", flat=True)),
        "date_joined_0": "2018-04-01",
        "date_joined_1": "00:00:00",
    }
    response = client_for(administrator).post(f"/admin/auth/user/{scrutiny.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(object_type="auth.User", field="is_active")
    assert (entry.old_value, entry.new_value) == ("True", "False")


def test_deleting_through_the_admins_bulk_action_audits_each_row(client_for, administrator):
    savings = list(Saving.objects.filter(year__start_year=2016))
    assert savings
    response = client_for(administrator).post(
        "/admin/budgets/saving/",
        {
            "action": "delete_selected",
            "_selected_action": [s.pk for s in savings],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(object_type="budgets.Saving", action="delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(s.pk) for s in savings)
