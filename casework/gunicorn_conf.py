"""gunicorn's settings for Casework in production: `make serve`, or
`gunicorn --config python:casework.gunicorn_conf casework.wsgi:app`.

Each can be changed by an environment variable (docs/deploying.md, Serving). gunicorn's own
command-line options (such as --bind) still win over this file.
"""

import os

# Bind to the loopback address: the HTTPS reverse proxy in front is what people reach.
bind = os.environ.get("BIND", "127.0.0.1:5000")

# Processes: two per core plus one, as gunicorn advises, but at most 8: the work is mostly
# waiting on the database, and SQLite takes one writer at a time. Threads in each process
# serve other requests while one waits.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 8))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request still running after 30 seconds is treated as stuck and its worker restarted; on
# a restart or stop each worker gets 30 seconds to finish the requests it has. Idle
# keep-alive connections from the proxy are closed after 5 seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Recycle each worker after about a thousand requests, so a slow leak never grows.
max_requests = 1000
max_requests_jitter = 100

# Only the proxy on this machine may say the request came over HTTPS (X-Forwarded-Proto).
# Casework's own TRUSTED_PROXIES setting decides whose X-Forwarded-For to believe.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log has the path without its query string (a search for a person's name or
# NHS number is in the query string), and no Referer (which holds other pages' queries).
# %(h)s is the proxy's address when behind one; the audit trail holds the client's.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# gunicorn 27's control socket (for gunicornc) is one path per user account, which two
# servers on one machine would share; signals (HUP, TERM) do what Casework needs.
control_socket_disable = True
