"""Seat-history sync against the sandbox served over HTTP, on SQLite and PostgreSQL.

  bench/history_sync.py [--customers 100000] [--delay-ms 20] [--db sqlite,postgres]

A gunicorn serves the sandbox (its own SQLite file, seeded with --customers, every answer delayed
by --delay-ms) on a loopback port. For each database, a child process migrates an empty store and
runs the initial sync (events/s, upstream calls, peak RSS, database bytes per event); then 1,000
new events are posted to the sandbox and a second child runs the incremental sync (calls,
seconds). Reconciliation time is the balances read, the series rebuild and the comparison.
Each sync runs in a fresh process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLIENT_SECRET = secrets.token_hex(16)

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seatdash.settings")
import django
django.setup()
import logging
logging.getLogger("axes").setLevel(logging.WARNING)
from django.db import connection
from seatdash.history.models import SeatEvent
from seatdash.history.sync import sync_once
began = time.monotonic()
result = sync_once(full=sys.argv[1] == "full")
seconds = time.monotonic() - began
events = SeatEvent.objects.count()
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = os.path.getsize(connection.settings_dict["NAME"])
else:
    with connection.cursor() as c:
        c.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                  "WHERE c.relkind = 'r' AND c.relname LIKE 'history_%%'")
        size = int(c.fetchone()[0])
print(json.dumps({
    "status": result.status, "error": result.error, "seconds": seconds,
    "pages": result.pages, "calls": result.calls, "new": result.new_events,
    "read": result.events_read, "events": events, "db_bytes": size,
    "timings": result.timings,
    "agree": [result.reconciliation.agreeing, result.reconciliation.customers]
    if result.reconciliation else None,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def base_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEQUENCE_API_URL")}
    env.update(
        DEBUG="true",
        LOG_LEVEL="WARNING",
        SECRET_KEY="bench-" + "k" * 50,
        SANDBOX_CLIENT_SECRET=CLIENT_SECRET,
        **extra,
    )
    return env


def start_sandbox(
    workdir: Path, customers: int, delay_ms: int, seeded: str | None
) -> tuple[subprocess.Popen, str, dict]:
    env = base_env(DATABASE_URL=f"sqlite:///{workdir / 'sandbox.sqlite3'}")
    if seeded:  # a copy of a sandbox database seeded before (seeding 100,000 takes a minute)
        shutil.copyfile(seeded, workdir / "sandbox.sqlite3")
    manage(env, "migrate", "--no-input")
    if not seeded:
        began = time.monotonic()
        manage(
            env, "sandbox_seed", "--customers", str(customers), "--anchor", "2026-06-01", "--reset"
        )
        print(f"  seeded {customers:,} customers in {time.monotonic() - began:.0f} s")
    manage(env, "sandbox_faults", "--delay-ms", str(delay_ms))
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "seatdash.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "120",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    return server, f"http://127.0.0.1:{port}/sandbox/api", env


def post_new_events(sandbox_env: dict, count: int, delay_ms: int) -> None:
    """`count` new events through the sandbox's own models (the answers are the same as if
    posted), then the delay back on."""
    script = (
        "import os,sys;sys.path.insert(0,os.getcwd());"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','seatdash.settings');"
        "import django;django.setup();"
        "from seatdash.sandbox.transport import SandboxTransport, SANDBOX_BASE_URL;"
        "from seatdash.sandbox.auth import sandbox_credentials;"
        "from seatdash.sandbox.models import CustomerAlias;"
        "from seatdash.sandbox import faults;faults.clear();"
        "import httpx;c=httpx.Client(base_url=SANDBOX_BASE_URL,transport=SandboxTransport(),"
        "auth=sandbox_credentials(),headers={'Sequence-Version':'2024-07-30'});"
        "aliases=list(CustomerAlias.objects.values_list('value',flat=True)[:200]);"
        f"[c.post('/seat-events',json={{'customerAlias':aliases[i%len(aliases)],'seatType':'admin',"
        f"'total':i%9,'eventTimestamp':'2026-06-0%dT12:00:00Z'%(1+i%9)}}).raise_for_status() for i in range({count})]"
    )
    subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=sandbox_env, check=True)
    manage(sandbox_env, "sandbox_faults", "--delay-ms", str(delay_ms))


def sync_child(env: dict, mode: str) -> dict:
    out = subprocess.run(
        [PYTHON, "-c", CHILD, mode], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_postgres() -> str:
    import psycopg

    name = f"seatdash_bench_{secrets.token_hex(4)}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(label: str, r: dict) -> None:
    t = r["timings"]
    reconcile = sum(
        t.get(k, 0.0) for k in ("balances_read", "customers_store", "series_rebuild", "compare")
    )
    print(
        f"  {label}: {r['status']} {r['new']:,} new of {r['read']:,} read in {r['seconds']:.1f} s "
        f"({r['read'] / max(t.get('events', r['seconds']), 1e-9):,.0f} events/s over the events walk), "
        f"{r['pages']} events calls + {r['calls'] - r['pages']} balances calls, "
        f"peak RSS {r['peak_rss_mb']:.0f} MB"
    )
    print(
        f"      events walk {t.get('events', 0):.1f} s · reconciliation {reconcile:.1f} s "
        f"(balances read {t.get('balances_read', 0):.1f}, customers {t.get('customers_store', 0):.1f}, "
        f"series rebuild {t.get('series_rebuild', 0):.1f}, compare {t.get('compare', 0):.1f}) · "
        f"agree {r['agree'][0]:,}/{r['agree'][1]:,} · store {r['db_bytes'] / max(r['events'], 1):,.0f} bytes/event"
        + (f" · error {r['error']}" if r["error"] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--delay-ms", type=int, default=20)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--new-events", type=int, default=1000)
    parser.add_argument("--sandbox-db", help="reuse this seeded sandbox SQLite file (copied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="seatdash-bench-") as tmp:
        workdir = Path(tmp)
        server, url, sandbox_env = start_sandbox(
            workdir, args.customers, args.delay_ms, args.sandbox_db
        )
        try:
            for db in args.db.split(","):
                pg_name = fresh_postgres() if db == "postgres" else None
                database_url = (
                    f"postgres://postgres@127.0.0.1:5432/{pg_name}"
                    if pg_name
                    else f"sqlite:///{workdir / 'history.sqlite3'}"
                )
                env = base_env(
                    DATABASE_URL=database_url,
                    SEQUENCE_API_URL=url,
                    SEQUENCE_CLIENT_ID="sandbox",
                    SEQUENCE_CLIENT_SECRET=CLIENT_SECRET,
                    # The sandbox answers /seat-balances in one page: 100,000 customers take longer
                    # than the 8 s production deadline to build and send.
                    UPSTREAM_CALL_DEADLINE="120",
                    UPSTREAM_READ_TIMEOUT="60",
                )
                try:
                    manage(env, "migrate", "--no-input")
                    print(f"\n  [{db}] {args.customers:,} customers, {args.delay_ms} ms per call")
                    report("initial", sync_child(env, "once"))
                    post_new_events(sandbox_env, args.new_events, args.delay_ms)
                    report(f"incremental ({args.new_events:,} new)", sync_child(env, "once"))
                    report("nothing new", sync_child(env, "once"))
                finally:
                    if pg_name:
                        drop_postgres(pg_name)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
