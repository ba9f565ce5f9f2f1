"""seatdash benchmarks: run alone (`./dev bench`), print numbers, assert nothing about speed.

  balances   warm balances page vs the bare template render of the same rows, 1,000 and 100,000
             customers; and the cost of a cold process decoding a new snapshot
  calls      upstream calls per page, cold and warm, counted at the sandbox
  csv        CSV rows per second and peak Python memory for 100,000 customers
  records    decoding the 100,000-customer snapshot (and Metronome seats): hand parsing vs msgspec
  fetch      the sandbox over HTTP paged by 100 with 20 ms latency: cold snapshot time and calls,
             where our time per call goes, warm p50/p99 across expiry boundaries, cache after
             20 refreshes (not in the default run: `bench/run.py fetch --customers 10000`)

Usage: bench/run.py [balances|calls|csv|records ...] [--customers 1000,100000]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seatdash.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django

django.setup()
# Per-login and per-export log lines would bury the numbers.
logging.getLogger("axes").setLevel(logging.WARNING)
logging.getLogger("seatdash.audit").setLevel(logging.WARNING)

from bench import calls as calls_bench  # noqa: E402
from bench import csv_export, fetch_path, listing, records_decode  # noqa: E402

SUITES = {
    "balances": listing.run,
    "calls": calls_bench.run,
    "csv": csv_export.run,
    "records": records_decode.run,
}
EXTRA_SUITES = {"fetch": fetch_path.run}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "suites", nargs="*", metavar="SUITE", help=f"any of {', '.join(SUITES)} (default: all)"
    )
    parser.add_argument("--customers", default="1000,100000")
    args = parser.parse_args()
    unknown = set(args.suites) - set(SUITES) - set(EXTRA_SUITES)
    if unknown:
        parser.error(f"unknown suite {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}")
    sizes = [int(n) for n in args.customers.split(",")]
    started = time.perf_counter()
    for name in args.suites or SUITES:
        print(f"\n== {name}")
        (SUITES | EXTRA_SUITES)[name](sizes)
    print(f"\n(all benchmarks took {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
