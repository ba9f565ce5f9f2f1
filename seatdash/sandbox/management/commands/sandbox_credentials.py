"""Print the sandbox API's Basic-auth credentials, for tools that call it over HTTP."""

from django.core.management.base import BaseCommand

from seatdash.sandbox.auth import sandbox_credentials


class Command(BaseCommand):
    help = "Print SEQUENCE_CLIENT_ID and SEQUENCE_CLIENT_SECRET values that the sandbox accepts."

    def handle(self, *args, **options):
        client_id, secret = sandbox_credentials()
        self.stdout.write(f"SEQUENCE_CLIENT_ID={client_id}\nSEQUENCE_CLIENT_SECRET={secret}")
