"""CSV export: rows per second and peak Python memory while streaming 100,000 customers."""

from __future__ import annotations

import time
import tracemalloc

from bench.data import customers
from bench.support import StaticSequence, logged_in_client, use_upstream


def run(sizes: list[int]) -> None:
    client = logged_in_client()
    size = max(sizes)
    use_upstream(StaticSequence(customers(size)))
    client.get("/")  # warm: the export streams from the cached snapshot
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/balances.csv")
    lines = size_bytes = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size_bytes += len(chunk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = lines - 1
    print(f"  {size:,} customers -> {rows:,} CSV rows, {size_bytes / 1e6:.1f} MB")
    print(
        f"  {rows / elapsed:,.0f} rows/s ({elapsed:.2f} s); peak Python memory while streaming {peak / 1e6:.2f} MB"
    )
