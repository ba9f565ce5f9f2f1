"""Make the sandbox API slow or failing, for drills: `sandbox_faults --error-rate 1 --status 503`."""

from django.core.management.base import BaseCommand, CommandError

from seatdash.sandbox import faults


class Command(BaseCommand):
    help = "Set, show or clear the faults the sandbox API injects into its answers."

    def add_arguments(self, parser):
        parser.add_argument("--delay-ms", type=int, default=0, help="Delay every answer.")
        parser.add_argument(
            "--error-rate", type=float, default=0.0, help="Share (0-1) answered with --status."
        )
        parser.add_argument("--status", type=int, default=503, choices=(500, 502, 503, 504))
        parser.add_argument(
            "--rate-limit-rate", type=float, default=0.0, help="Share answered 429."
        )
        parser.add_argument("--retry-after", type=int, default=1, help="Retry-After of those 429s.")
        parser.add_argument(
            "--malformed-rate", type=float, default=0.0, help="Share with a cut-off body."
        )
        parser.add_argument("--drip-ms", type=int, default=0, help="Send bodies in 64-byte drips.")
        parser.add_argument("--clear", action="store_true", help="Answer normally again.")
        parser.add_argument("--show", action="store_true", help="Print the faults in force.")

    def handle(self, *args, **o):
        if o["show"]:
            config = faults.current()
            self.stdout.write(
                ", ".join(f"{f.name}={getattr(config, f.name)}" for f in config._meta.fields[1:])
            )
            return
        if o["clear"]:
            faults.clear()
            self.stdout.write("Sandbox faults cleared.")
            return
        for name in ("error_rate", "rate_limit_rate", "malformed_rate"):
            if not 0 <= o[name] <= 1:
                raise CommandError(f"--{name.replace('_', '-')} is a share between 0 and 1.")
        faults.inject(
            delay_ms=o["delay_ms"],
            error_rate=o["error_rate"],
            error_status=o["status"],
            rate_limit_rate=o["rate_limit_rate"],
            retry_after=o["retry_after"],
            malformed_rate=o["malformed_rate"],
            drip_ms=o["drip_ms"],
        )
        self.stdout.write("Sandbox faults set.")
