"""Transactional outbox: side effects written with the change, dispatched after commit.

``emit()`` adds an entry in the caller's transaction. After the commit the entry is handed to
the job queue (RQ when ``REDIS_URL`` is set, otherwise run in-process). Entries that could not be
handed over (Redis down) or whose job failed stay in the table and are retried with backoff by
the dispatcher (``flask outbox run``); after ``OUTBOX_MAX_ATTEMPTS`` they are marked failed with
their last error. Handlers must be idempotent: an entry may run more than once.
"""

from yipin.outbox.registry import handler, registered_topics
from yipin.outbox.service import emit

__all__ = ["emit", "handler", "registered_topics"]
