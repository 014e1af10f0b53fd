"""Retries with exponential backoff for transient storage failures.

Only what a later attempt can fix is retried (connection refused or reset,
timeouts, 5xx); anything else, authentication failures above all, fails on the
first attempt so that wrong credentials never turn into a retry storm.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import StorageError, StorageUnavailable

T = TypeVar("T")

logger = logging.getLogger("simfarm.storage")


class TransientError(StorageError):
    """A failure worth another attempt; raised by backends, consumed by :func:`retrying`."""


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt ``attempts`` times; sleep ``base_delay * 2**n`` (capped, with jitter) in between.

    The jitter (each delay is scaled by a random factor in [0.5, 1]) keeps the
    pods of a render Job from hammering a recovering server in lockstep.
    """

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 10.0

    def delay(self, failed_attempts: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (failed_attempts - 1)) * random.uniform(0.5, 1.0)


def retrying(policy: RetryPolicy, what: str, operation: Callable[[], T]) -> T:
    """Run ``operation``; on :class:`TransientError` back off and try again, up to the policy's limit."""
    attempt = 1
    while True:
        try:
            return operation()
        except TransientError as error:
            if attempt >= policy.attempts:
                raise StorageUnavailable(f"{what}: gave up after {attempt} attempts: {error}") from error
            delay = policy.delay(attempt)
            logger.warning(
                "%s: attempt %d/%d failed (%s); retrying in %.2fs", what, attempt, policy.attempts, error, delay
            )
            time.sleep(delay)
            attempt += 1
