"""How a worker failure reaches the Job: exit 3 means "do not retry this index".

An Indexed Job retries a failed pod; that only helps when the cause can go
away (a network blip, a node problem). A bad plan, an asset that cannot be
loaded or impossible settings fail the same way every time, so the worker
exits with ``EXIT_PERMANENT`` and the Job's pod failure policy fails the index
at once. Every other failure exits with ``EXIT_RETRYABLE``.
"""

EXIT_OK = 0
EXIT_RETRYABLE = 1
EXIT_PERMANENT = 3


class PermanentError(Exception):
    """The shard cannot succeed however often it is retried; the message says why."""


class TransientError(Exception):
    """A failure that may go away on retry (network, server 5xx, throttling)."""
