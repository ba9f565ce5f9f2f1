"""Gunicorn settings for seatdash (read automatically from the working directory)."""

from __future__ import annotations

import os

# Threads, not processes, carry the concurrency: a page mostly waits on the upstream (I/O), and
# each worker process holds its own DB connections and memory.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 3)
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
bind = f"{os.environ.get('GUNICORN_BIND_HOST') or '0.0.0.0'}:{os.environ.get('PORT') or 8000}"  # noqa: S104

# Well above the 8 s upstream deadline per call (a page makes at most a few calls), so gunicorn
# only kills workers that are truly stuck.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never takes all of them at once.
max_requests = 2000
max_requests_jitter = 200

# Gunicorn trusts X-Forwarded-* only from these addresses (comma-separated; "*" behind a private
# load balancer).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"

accesslog = "-"
errorlog = "-"
# %(U)s is the path without the query string: filters may be customer names, which stay out of logs.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# Heartbeat files in memory: a container's disk-backed /tmp can stall workers into timeouts.
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
