"""Create the demo login once, with a random password printed only at creation."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the 'demo' login if it does not exist and print its password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument(
            "--reset", action="store_true", help="Give an existing demo login a new password."
        )

    def handle(self, *args, username: str, reset: bool, **options):
        users = get_user_model()
        user = users.objects.filter(username=username).first()
        if user is not None and not reset:
            self.stdout.write(
                f"Log in as '{username}' (its password was printed when it was created; "
                f"`manage.py demo_user --reset` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            user = users(username=username)
        user.set_password(password)
        user.save()
        self._grant_demo_roles(user)
        self.stdout.write(
            self.style.SUCCESS(f"Demo login: username '{username}', password '{password}'")
        )

    def _grant_demo_roles(self, user) -> None:
        """The demo login may browse and export: the "exporter" group (made by a migration)."""
        exporter, _ = Group.objects.get_or_create(name="exporter")
        user.groups.add(exporter)
