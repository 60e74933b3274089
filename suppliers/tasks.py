"""Jobs (outbox handlers) of this package."""
