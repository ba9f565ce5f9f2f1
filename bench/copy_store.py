"""Copy a synced seat-history store from a SQLite file into an empty PostgreSQL database.

  bench/copy_store.py /tmp/store.sqlite3 postgres://postgres@127.0.0.1:5432/bench

Syncing 100,000 customers takes the better part of an hour on a loaded 2-core machine; the time
pages only read the history tables, so a PostgreSQL run can start from the same synced store.
The PostgreSQL database must be migrated; its sandbox and history tables are replaced, so `/`
reads the same balances the history was synced from.
"""

from __future__ import annotations

import sqlite3
import sys

import psycopg

TABLES = (
    "sandbox_customer",
    "sandbox_customeralias",
    "sandbox_seatevent",
    "sandbox_seatbalance",
    "history_heldcustomer",
    "history_heldalias",
    "history_seatevent",
    "history_seatchange",
    "history_heldbalance",
    "history_syncstate",
    "history_reconciliation",
    "history_difference",
)


def main(source: str, target: str) -> None:
    lite = sqlite3.connect(source)
    with psycopg.connect(target) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        pg.execute(f"TRUNCATE {', '.join(TABLES)}")
        for table in TABLES:
            types = dict(
                pg.execute(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_name = %s",
                    (table,),
                ).fetchall()
            )
            cursor = lite.execute(f"SELECT * FROM {table}")  # noqa: S608
            columns = [d[0] for d in cursor.description]
            flags = [types[c] == "boolean" for c in columns]
            copied = 0
            names = ", ".join(f'"{c}"' for c in columns)
            with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for record in cursor:
                    copy.write_row(
                        [
                            bool(v) if flag and v is not None else v
                            for v, flag in zip(record, flags, strict=True)
                        ]
                    )
                    copied += 1
            if "id" in columns and types.get("id") in ("bigint", "integer"):
                sql = (
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 (fixed names)
                    f" COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
                pg.execute(sql)
            print(f"{table}: {copied:,} rows")
        pg.execute("ANALYZE")


if __name__ == "__main__":
    main(*sys.argv[1:3])
