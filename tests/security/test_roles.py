"""Roles and the export audit: who may export, the 403 page, audit row and log, read-only admin."""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse

from seatdash.audit import record_export
from seatdash.models import ExportAudit
from seatdash.permissions import can_export
from tests.security.support import URLCONF

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, *groups: str, **fields):
        user = django_user_model.objects.create_user(username=username, password="x" * 20, **fields)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


def test_roles_migration_creates_viewer_without_and_exporter_with_export_permission():
    export_csv = Permission.objects.get(content_type__app_label="seatdash", codename="export_csv")

    assert export_csv not in Group.objects.get(name="viewer").permissions.all()
    assert export_csv in Group.objects.get(name="exporter").permissions.all()


def test_can_export_depends_on_group_superuser_and_active(make_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not can_export(make_user("vic", "viewer"))
    assert can_export(make_user("eve", "exporter"))
    assert can_export(django_user_model.objects.create_superuser("root", password="x" * 20))
    assert not can_export(make_user("gone", "exporter", is_active=False))
    assert not can_export(AnonymousUser())


def test_export_required_viewer_gets_403_page(client, make_user, caplog):
    client.force_login(make_user("vic", "viewer"))

    with caplog.at_level(logging.WARNING, logger="seatdash.permissions"):
        response = client.get("/t/export/")

    assert response.status_code == 403
    assert "You don't have access to this" in response.content.decode()
    assert "permission_denied" in caplog.text


def test_export_required_exporter_gets_the_view(client, make_user):
    client.force_login(make_user("eve", "exporter"))

    response = client.get("/t/export/")

    assert response.status_code == 200
    assert response.content == b"csv,goes,here"


def test_demo_user_command_makes_an_exporter(django_user_model):
    call_command("demo_user", username="demo-test")

    assert can_export(django_user_model.objects.get(username="demo-test"))


# --- audit ----------------------------------------------------------------------------------------


def test_record_export_writes_row_with_request_facts(rf, make_user):
    user = make_user("eve", "exporter")
    request = rf.get(
        "/export.csv?q=Acme&seat_type=editor&seat_type=viewer", REMOTE_ADDR="192.0.2.9"
    )
    request.user = user

    record_export(request, view="balances", filters=request.GET, row_count=42, outcome="completed")

    entry = ExportAudit.objects.get()
    assert entry.user == user
    assert entry.username == "eve"
    assert entry.view == "balances"
    assert entry.filters == {"q": "Acme", "seat_type": ["editor", "viewer"]}
    assert entry.row_count == 42
    assert entry.outcome == "completed"
    assert entry.client_ip == "192.0.2.9"
    assert entry.at.utcoffset().total_seconds() == 0


def test_record_export_log_line_is_json_without_filter_values_or_session(rf, make_user, caplog):
    request = rf.get("/export.csv")
    request.user = make_user("eve", "exporter")
    request.session = {"sessionid-would-be": "here"}
    filters = QueryDict(mutable=True)
    filters["q"] = "Acme Legal Name Ltd\nforged log line"

    with caplog.at_level(logging.INFO, logger="seatdash.audit"):
        record_export(request, view="balances", filters=filters, row_count=3, outcome="aborted")

    (record,) = [r for r in caplog.records if r.name == "seatdash.audit"]
    message = record.getMessage()
    event = json.loads(message.removeprefix("csv_export "))
    assert event["event"] == "csv_export"
    assert event["outcome"] == "aborted"
    assert event["filter_names"] == ["q"]
    assert event["user_id"] == request.user.pk
    assert "Acme" not in message
    assert "\n" not in message
    assert "session" not in message


def test_record_export_unknown_outcome_rejected(rf, make_user):
    request = rf.get("/")
    request.user = make_user("eve", "exporter")

    with pytest.raises(ValueError, match="outcome"):
        record_export(request, view="balances", filters={}, row_count=0, outcome="partial")

    assert not ExportAudit.objects.exists()


# --- admin ----------------------------------------------------------------------------------------


@pytest.fixture
def audit_entry(make_user):
    return ExportAudit.objects.create(
        user=make_user("eve", "exporter"),
        username="eve",
        view="balances",
        filters={"q": "x"},
        row_count=1,
        outcome="completed",
    )


@pytest.fixture(params=["staff", "superuser"])
def admin_user_client(request, client, make_user):
    user = make_user(f"{request.param}-admin", is_staff=True)
    if request.param == "superuser":
        user.is_superuser = True
        user.save()
    client.force_login(user)
    return client


def test_audit_admin_staff_can_list_and_read(admin_user_client, audit_entry):
    listing = admin_user_client.get(reverse("admin:seatdash_exportaudit_changelist"))
    detail = admin_user_client.get(
        reverse("admin:seatdash_exportaudit_change", args=[audit_entry.pk])
    )

    assert listing.status_code == 200
    assert "eve" in listing.content.decode()
    assert detail.status_code == 200


def test_audit_admin_nobody_can_add_change_or_delete(admin_user_client, audit_entry):
    add = admin_user_client.get(reverse("admin:seatdash_exportaudit_add"))
    change = admin_user_client.post(
        reverse("admin:seatdash_exportaudit_change", args=[audit_entry.pk]),
        {"username": "mallory", "view": "balances", "row_count": 0, "outcome": "completed"},
    )
    delete = admin_user_client.post(
        reverse("admin:seatdash_exportaudit_delete", args=[audit_entry.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    audit_entry.refresh_from_db()
    assert audit_entry.username == "eve"


def test_audit_admin_filters_by_user(admin_user_client, audit_entry, make_user):
    other = make_user("olga", "exporter")
    ExportAudit.objects.create(
        user=other, username="olga", view="events", row_count=5, outcome="completed"
    )

    response = admin_user_client.get(
        reverse("admin:seatdash_exportaudit_changelist"), {"user__id__exact": other.pk}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(ExportAudit.objects.filter(user=other))


def test_audit_admin_non_staff_refused(client, make_user, audit_entry):
    client.force_login(make_user("vic", "viewer"))

    response = client.get(reverse("admin:seatdash_exportaudit_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url
