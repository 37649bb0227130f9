"""gunicorn's settings for production: ``gunicorn -c gunicorn.conf.py laobing.wsgi``.

Long work (imports, exports, letters) runs in the worker (``python manage.py worker``), not in a request,
so a request's timeout can stay moderate; it is still longer than gunicorn's 30 s default, because a
write may wait for SQLite's lock and a city-wide list or report takes a while on the embedded default.
Every value can be overridden from the environment (``GUNICORN_WORKERS`` …) or the command line.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core plus one, at most eight: more processes only queue behind the database.
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(8, multiprocessing.cpu_count() * 2 + 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A request that takes longer than this is killed (and logged); a request's busy database answers 503 long before.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On a restart or a deploy, a request in flight gets this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "60"))
keepalive = 5
# A request line (method, path and query string) up to 8 KB, gunicorn's most: a list's filters with a cursor and
# a search in Chinese (each character 9 bytes once escaped) pass 4 KB, gunicorn's default, which answers 414.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
# Each worker loads the application itself: no database connection or key opened before the fork is shared.
preload_app = False
# Requests are logged to stdout (with the request id the platform gives each); errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The path without its query string (%(U)s, not the request line %(r)s): a search by ID number or phone is
# sent in the query string, and the access log must not keep it.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms "%({x-request-id}o)s"'
# Recycle a worker after this many requests (with jitter), against slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Behind the TLS-terminating proxy the README describes: trust its X-Forwarded-* from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
