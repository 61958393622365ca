"""Gunicorn settings for the demo and small deployments (threads suit a 2-core machine).

The values come from the settings (CONGSO_BIND, CONGSO_WEB_WORKERS, CONGSO_WEB_THREADS), so the
configuration reference documents them with everything else.
"""

from congso.settings.base import WEB_BIND, WEB_THREADS, WEB_WORKERS

bind = WEB_BIND
workers = WEB_WORKERS
worker_class = "congso.core.server.SheddingThreadWorker"
threads = WEB_THREADS
timeout = 60
graceful_timeout = 20
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
